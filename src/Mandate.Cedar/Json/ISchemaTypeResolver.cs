namespace Mandate.Cedar.Json;

/// <summary>
/// The seam between the engine and the schema: entity and context JSON parsing ask the schema what each attribute
/// should be. Implemented by <see cref="Schema"/> (cedar-schema) and exposed as <c>Schema.TypeResolver</c>.
/// Returning null means "not declared": the value is then read schema-less.
/// </summary>
internal interface ISchemaTypeResolver
{
    /// <summary>The declared type of <paramref name="attribute"/> on entities of <paramref name="entityType"/>.</summary>
    IValueTypeHint? EntityAttributeType(string entityType, string attribute);

    /// <summary>The declared tag value type of <paramref name="entityType"/>.</summary>
    IValueTypeHint? EntityTagType(string entityType);

    /// <summary>The context record type of <paramref name="action"/>.</summary>
    IValueTypeHint? ContextType(EntityUid action);

    /// <summary>The action entities the schema declares, with their action-group parents.</summary>
    IReadOnlyList<Entity> ActionEntities { get; }
}
