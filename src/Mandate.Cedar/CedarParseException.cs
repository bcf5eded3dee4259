namespace Mandate.Cedar;

/// <summary>Policy or schema text that does not parse; <see cref="Diagnostics"/> name each problem's position.</summary>
public sealed class CedarParseException : CedarException
{
    public CedarParseException()
        : this([])
    {
    }

    public CedarParseException(string message)
        : base(message) => Diagnostics = [];

    public CedarParseException(string message, Exception innerException)
        : base(message, innerException) => Diagnostics = [];

    public CedarParseException(IReadOnlyList<CedarDiagnostic> diagnostics)
        : base(diagnostics.Count == 0 ? "parse error" : string.Join(Environment.NewLine, diagnostics))
        => Diagnostics = diagnostics;

    public IReadOnlyList<CedarDiagnostic> Diagnostics { get; }
}
