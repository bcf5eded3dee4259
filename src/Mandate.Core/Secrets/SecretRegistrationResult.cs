namespace Mandate.Core.Secrets;

/// <summary>What a registration did: per secret its status (<c>new</c>, <c>seen</c>, <c>reappeared</c>) and the identity it belongs to, and the secrets of the source it marked removed.</summary>
internal sealed record SecretRegistrationResult
{
    public required string Source { get; init; }

    public required int Added { get; init; }

    public required int Seen { get; init; }

    public required int Reappeared { get; init; }

    public required int Removed { get; init; }

    public required IReadOnlyList<RegisteredSecret> Secrets { get; init; }

    public required IReadOnlyList<RemovedSecret> RemovedSecrets { get; init; }

    public long? LedgerSequence { get; init; }

    /// <summary>One registered secret: its inventory identity (<c>scan</c>, <c>SOURCE#FINGERPRINT</c>) and whose it is.</summary>
    internal sealed record RegisteredSecret(string Fingerprint, string Status, string InventoryId, string? Identity, string? Owner);

    internal sealed record RemovedSecret(string Fingerprint, DateTimeOffset RemovedAt);
}
