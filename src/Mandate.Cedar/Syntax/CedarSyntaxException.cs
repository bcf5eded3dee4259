namespace Mandate.Cedar.Syntax;

/// <summary>Internal control flow of the parser: one syntax error at a position. Never escapes the parser.</summary>
internal sealed class CedarSyntaxException(string message, int line, int column) : Exception(message)
{
    public int Line { get; } = line;

    public int Column { get; } = column;
}
