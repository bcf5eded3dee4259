namespace Mandate.Cedar.Schemas;

/// <summary>
/// A problem in schema text or structure, with where it was found. Internal: the public <c>Schema</c> facade turns
/// it into a <c>CedarParseException</c> carrying a diagnostic.
/// </summary>
internal sealed class SchemaSyntaxException : Exception
{
    public SchemaSyntaxException(string message, SchemaLocation location)
        : base(message) => Location = location;

    public SchemaSyntaxException()
    {
    }

    public SchemaSyntaxException(string message)
        : base(message)
    {
    }

    public SchemaSyntaxException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public SchemaLocation Location { get; }
}
