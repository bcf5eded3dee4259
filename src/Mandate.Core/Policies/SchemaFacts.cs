using Mandate.Cedar;

namespace Mandate.Core.Policies;

/// <summary>What the decision point needs to know from a schema: its entity types and its actions.</summary>
internal static class SchemaFacts
{
    public static IEnumerable<string> EntityTypes(Schema schema) => schema.EntityTypes;

    public static IEnumerable<EntityUid> Actions(Schema schema) => schema.Actions;
}
