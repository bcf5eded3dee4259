namespace Mandate.Core.Governance.Findings;

/// <summary>Why a finding could not be accepted: <c>invalid</c> (400), <c>unknown</c> (404), <c>resolved</c> (409).</summary>
internal sealed record FindingAcceptError(string Code, string Message)
{
    public static FindingAcceptError Invalid(string message) => new("invalid", message);

    public static FindingAcceptError Unknown(string message) => new("unknown", message);

    public static FindingAcceptError Resolved(string message) => new("resolved", message);
}
