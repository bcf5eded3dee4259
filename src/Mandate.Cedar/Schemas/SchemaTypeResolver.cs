using Mandate.Cedar.Json;

namespace Mandate.Cedar.Schemas;

/// <summary>Answers the engine's "what type does the schema expect here?" questions while it reads entity and context JSON.</summary>
internal sealed class SchemaTypeResolver(SchemaModel model) : ISchemaTypeResolver
{
    private readonly Lazy<IReadOnlyList<Entity>> actionEntities = new(() =>
        [.. model.Actions.Values.Select(a => new Entity(a.Uid, null, a.Parents, null))]);

    public IReadOnlyList<Entity> ActionEntities => actionEntities.Value;

    public IValueTypeHint? EntityAttributeType(string entityType, string attribute) =>
        model.EntityTypes.TryGetValue(entityType, out var definition) && definition.Attributes.Attributes.TryGetValue(attribute, out var declared)
            ? declared.Type
            : null;

    public IValueTypeHint? EntityTagType(string entityType) => model.EntityTypes.GetValueOrDefault(entityType)?.Tags;

    public IValueTypeHint? ContextType(EntityUid action) => model.Actions.GetValueOrDefault(action)?.Context;
}
