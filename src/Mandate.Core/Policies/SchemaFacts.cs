using Mandate.Cedar;

namespace Mandate.Core.Policies;

/// <summary>What the decision point needs from a schema: parse it, validate policies against it, its entity types and actions.</summary>
internal static class SchemaFacts
{
    public static Schema Parse(string text, string source) => Schema.Parse(text, source);

    /// <summary>Strict validation errors, each as <c>file:line:col: policy: message</c>.</summary>
    public static IEnumerable<string> Validate(PolicySet policies, Schema schema) =>
        Validator.Validate(policies, schema).Errors.Select(e => e.ToString());

    public static IEnumerable<string> EntityTypes(Schema schema) => schema.EntityTypes;

    public static IEnumerable<EntityUid> Actions(Schema schema) => schema.Actions;
}
