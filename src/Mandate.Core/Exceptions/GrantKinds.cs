namespace Mandate.Core.Exceptions;

/// <summary>The kinds of grant, as stored, on the wire and in the decision ledger's <c>exception_kind</c>.</summary>
internal static class GrantKinds
{
    public const string Exception = "exception";
    public const string BreakGlass = "breakglass";
}
