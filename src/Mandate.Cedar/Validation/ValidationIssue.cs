namespace Mandate.Cedar;

/// <summary>One validator finding: a stable code, the policy it concerns, a message and where in the policy text.</summary>
public sealed record ValidationIssue(string Code, string PolicyId, string Message, string? Source, int Line, int Column)
{
    /// <summary><c>source:line:col: policy id: message</c>.</summary>
    public override string ToString() => $"{Source ?? "<policy>"}:{Line}:{Column}: {PolicyId}: {Message}";
}
