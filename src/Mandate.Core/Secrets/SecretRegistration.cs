namespace Mandate.Core.Secrets;

/// <summary>A scan's secrets to record: fingerprints, kinds and locations only, under the name of what was scanned.</summary>
internal sealed record SecretRegistration
{
    /// <summary>What was scanned (a repository URL without credentials, a path): a rescan of the same source tracks rotation.</summary>
    public required string Source { get; init; }

    /// <summary>Owner of the secrets no imported identity claims (else they carry no owner).</summary>
    public string? Owner { get; init; }

    public bool History { get; init; }

    public required IReadOnlyList<SecretReport> Secrets { get; init; }
}
