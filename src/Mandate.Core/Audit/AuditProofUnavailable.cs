namespace Mandate.Core.Audit;

/// <summary>Why an inclusion proof cannot be given for an event.</summary>
internal enum AuditProofUnavailable
{
    /// <summary>The ledger has no event with that sequence number.</summary>
    NoSuchEvent,

    /// <summary>The event exists but no signed checkpoint covers it yet.</summary>
    NotCheckpointed,
}
