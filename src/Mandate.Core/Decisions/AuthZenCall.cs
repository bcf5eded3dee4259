namespace Mandate.Core.Decisions;

/// <summary>
/// Who is asking and how: the request id to echo and audit, whether the caller may see policy diagnostics, the
/// authenticated caller (a SPIFFE ID, <c>pep:&lt;name&gt;</c>, <c>admin</c>; null for an anonymous enforcement point) and
/// the client network it called from (for folding repeated denies).
/// </summary>
internal sealed record AuthZenCall(string? RequestId, bool IncludeDiagnostics, string? Caller = null, string? Client = null)
{
    private PresentedCredentials? presented;

    /// <summary>
    /// The credentials presented in this call, each verified once however many questions it asks. Made when a question
    /// first carries a credential: most calls carry none, and pay nothing for it.
    /// </summary>
    public PresentedCredentials Presented =>
        Volatile.Read(ref presented) ?? Interlocked.CompareExchange(ref presented, new PresentedCredentials(), null) ?? presented!;

    /// <summary>Authenticated enforcement points see why a request was denied; anonymous ones only the decision.</summary>
    public bool IncludeReasons => Caller is not null;

    /// <summary>
    /// Where a credential presented in this call was used from, as the ledger's <c>credential.used</c> events name it:
    /// <c>authzen:</c> and the authenticated caller with its client address (<c>authzen:pep:gateway@10.0.0.7</c>), or the
    /// address alone for an anonymous enforcement point.
    /// </summary>
    public string UseSource => "authzen:" + (Caller, Client) switch
    {
        (null, null) => "anonymous",
        (null, { } client) => client,
        ({ } caller, null) => caller,
        ({ } caller, { } client) => caller + "@" + client,
    };
}
