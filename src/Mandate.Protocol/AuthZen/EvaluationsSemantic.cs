namespace Mandate.Protocol.AuthZen;

/// <summary>The values of <c>options.evaluations_semantic</c>.</summary>
public static class EvaluationsSemantic
{
    /// <summary>Run every item and return every result (the default).</summary>
    public const string ExecuteAll = "execute_all";

    /// <summary>Stop after the first deny (or failed item), like <c>&amp;&amp;</c>.</summary>
    public const string DenyOnFirstDeny = "deny_on_first_deny";

    /// <summary>Stop after the first permit, like <c>||</c>.</summary>
    public const string PermitOnFirstPermit = "permit_on_first_permit";
}
