namespace Mandate.Cedar.Json;

/// <summary>What the schema expects a JSON value to be; drives schema-directed parsing of entity and context data.</summary>
internal enum ValueTypeHintKind
{
    Bool,
    Long,
    String,
    Entity,
    Set,
    Record,
    Extension,
}

/// <summary>
/// The expected type of one value, as the schema declares it. Implemented by the schema's resolved types
/// (cedar-schema), consumed by <see cref="CedarJsonReader"/>: a string where an extension type is expected becomes that
/// extension value, and <c>{"type","id"}</c> where an entity is expected becomes an entity reference.
/// </summary>
internal interface IValueTypeHint
{
    ValueTypeHintKind HintKind { get; }

    /// <summary>The entity type (fully qualified) or extension name (<c>ipaddr</c>, <c>decimal</c>, <c>datetime</c>, <c>duration</c>).</summary>
    string? HintName { get; }

    /// <summary>The element type of a set.</summary>
    IValueTypeHint? HintElement { get; }

    /// <summary>The declared type of a record attribute, or null when the record declares no such attribute.</summary>
    IValueTypeHint? HintAttribute(string name);
}
