namespace Mandate.Cedar;

/// <summary>One problem in Cedar text, at a 1-based line and column of <see cref="Source"/> (a file name or label).</summary>
public sealed record CedarDiagnostic(string Code, string Message, string? Source, int Line, int Column)
{
    /// <summary>Syntax errors in policy text.</summary>
    public const string SyntaxErrorCode = "cedar.syntax";

    /// <summary>Policy ids that collide, unknown templates, bad links.</summary>
    public const string PolicySetErrorCode = "cedar.policy_set";

    /// <summary><c>source:line:col: message</c>.</summary>
    public override string ToString() => $"{Source ?? "<input>"}:{Line}:{Column}: {Message}";
}
