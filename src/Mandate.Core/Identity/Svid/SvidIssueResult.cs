namespace Mandate.Core.Identity.Svid;

/// <summary>An SVID issuance outcome: the issued SVID, or why it was refused.</summary>
internal sealed record SvidIssueResult<T>(T? Svid, IdentityError? Error)
    where T : class
{
    public static SvidIssueResult<T> Fail(string code, string message) => new(null, new IdentityError(code, message));
}
