using Mandate.Cedar.Json;

namespace Mandate.Cedar;

/// <summary>
/// The engine's half of <see cref="Schema"/>: the hook entity and context JSON parsing use. cedar-schema's half of this
/// partial class declares the schema model and sets <see cref="TypeResolver"/> when a schema is built.
/// </summary>
public sealed partial class Schema
{
    /// <summary>Answers "what type does the schema expect here?" for schema-directed JSON parsing.</summary>
    internal ISchemaTypeResolver? TypeResolver { get; init; }
}
