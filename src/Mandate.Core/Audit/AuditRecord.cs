namespace Mandate.Core.Audit;

/// <summary>An event as stored: its position in the chain, its time, and the hashes that chain it.</summary>
internal sealed record AuditRecord(
    long Sequence,
    DateTimeOffset Time,
    AuditEvent Event,
    string PreviousHash,
    string Hash)
{
    /// <summary>The canonical body that was hashed, when read back from a store.</summary>
    public string? Body { get; init; }

    /// <summary>The fields a store keeps for it, when it was just chained (the writer hashed the body written from them).</summary>
    public AuditRow? Row { get; init; }
}
