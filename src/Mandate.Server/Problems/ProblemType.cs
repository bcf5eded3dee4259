namespace Mandate.Server.Problems;

/// <summary>
/// One RFC 9457 problem type: its stable code (the last segment of <c>type</c>, the <c>code</c> member) and its one
/// title. Instances exist only in <see cref="ProblemTypes"/>, so a code cannot be answered with two titles.
/// </summary>
internal sealed class ProblemType
{
    internal ProblemType(string code, string title)
    {
        Code = code;
        Title = title;
    }

    public string Code { get; }

    /// <summary>A short summary of the problem type (RFC 9457 §3.1.3): the same for every occurrence.</summary>
    public string Title { get; }

    public string Uri => ProblemTypes.BaseUri + Code;

    public override string ToString() => Code;
}
