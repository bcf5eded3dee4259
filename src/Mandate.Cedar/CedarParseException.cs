namespace Mandate.Cedar;

/// <summary>Policy or schema text that does not parse; <see cref="Diagnostics"/> name each problem's position.</summary>
public sealed class CedarParseException : CedarException
{
    /// <summary>A parse failure without diagnostics.</summary>
    public CedarParseException()
        : this([])
    {
    }

    /// <summary>A parse failure with a message and no diagnostics.</summary>
    public CedarParseException(string message)
        : base(message) => Diagnostics = [];

    /// <summary>A parse failure with a message and a cause, and no diagnostics.</summary>
    public CedarParseException(string message, Exception innerException)
        : base(message, innerException) => Diagnostics = [];

    /// <summary>A parse failure listing each problem; the message joins them one per line.</summary>
    public CedarParseException(IReadOnlyList<CedarDiagnostic> diagnostics)
        : base(diagnostics.Count == 0 ? "parse error" : string.Join(Environment.NewLine, diagnostics))
        => Diagnostics = diagnostics;

    /// <summary>Every problem found, each with its source, line and column.</summary>
    public IReadOnlyList<CedarDiagnostic> Diagnostics { get; }
}
