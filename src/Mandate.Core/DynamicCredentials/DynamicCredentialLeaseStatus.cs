namespace Mandate.Core.DynamicCredentials;

/// <summary>Lower-case lease states as stored and shown.</summary>
internal static class DynamicCredentialLeaseStatus
{
    /// <summary>Recorded before the engine creates the credential, so that a half-made one is never forgotten.</summary>
    public const string Issuing = "issuing";

    /// <summary>Handed out; lives until its task ends or its own expiry.</summary>
    public const string Active = "active";

    /// <summary>Its task ended: to be removed downstream (retried with backoff until that succeeds).</summary>
    public const string Revoking = "revoking";

    /// <summary>Removed downstream.</summary>
    public const string Revoked = "revoked";
}
