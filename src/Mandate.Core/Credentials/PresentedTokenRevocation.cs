namespace Mandate.Core.Credentials;

internal enum PresentedTokenRevocation
{
    /// <summary>Revoked now (with its descendants).</summary>
    Revoked,

    /// <summary>Not a live Mandate credential: nothing to do, and RFC 7009 still answers 200.</summary>
    NothingToRevoke,

    /// <summary>The caller is not the token's subject, actor or client.</summary>
    NotYours,
}
