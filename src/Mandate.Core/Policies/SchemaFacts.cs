using Mandate.Cedar;

namespace Mandate.Core.Policies;

/// <summary>
/// What the decision point needs from a schema: parse it, validate policies against it, its entity types and actions.
/// TEMPORARY: the schema half of the Cedar engine (Schema.Parse, Validator) is not on main yet; until it lands a
/// bundle with a schema is rejected with this message rather than loaded unvalidated.
/// </summary>
internal static class SchemaFacts
{
    public const string Unavailable = "schema.cedarschema: schema validation is not available in this build yet; remove the schema to load the policies unvalidated.";

    public static Schema Parse(string text, string source) => throw new CedarException(Unavailable + " (" + source + ", " + text.Length + " characters)");

    public static IEnumerable<string> Validate(PolicySet policies, Schema schema) => [];

    public static IEnumerable<string> EntityTypes(Schema schema) => [];

    public static IEnumerable<EntityUid> Actions(Schema schema) => [];
}
