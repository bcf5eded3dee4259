namespace Mandate.Core.Audit;

/// <summary>The outcome of verifying a chain (from a store or an export).</summary>
internal sealed record AuditVerificationResult(
    bool Verified,
    long Events,
    long Checkpoints,
    long? FirstSequence,
    long? LastSequence,
    string? HeadHash,
    long UnsignedEvents,
    AuditVerificationFailure? Failure,
    IReadOnlyList<string> Notes,
    IReadOnlyList<string> KeyIds);

/// <summary>The first position that does not verify and why.</summary>
internal sealed record AuditVerificationFailure(string Position, long? Sequence, string Reason)
{
    /// <summary>The line in an export file (1-based), when the failure is at a place in the text.</summary>
    public long? Line { get; init; }

    /// <summary>The column (1-based, in bytes) within <see cref="Line"/>, when known.</summary>
    public long? Column { get; init; }

    public override string ToString() => $"{Position}: {Reason}";
}
