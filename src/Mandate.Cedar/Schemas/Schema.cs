using Mandate.Cedar.Schemas;

namespace Mandate.Cedar;

/// <summary>
/// A Cedar schema: entity types, actions and the shapes of their data. Parse it once from the human
/// <c>.cedarschema</c> syntax or the JSON format; then use it to type entity and context JSON, to check entities
/// and requests, and to validate policies.
/// </summary>
public sealed partial class Schema
{
    private Schema(SchemaModel model)
    {
        Model = model;
        TypeResolver = new SchemaTypeResolver(model);
    }

    internal SchemaModel Model { get; }

    /// <summary>Fully qualified names of the declared entity types (action types excluded).</summary>
    public IEnumerable<string> EntityTypes => Model.EntityTypes.Keys;

    /// <summary>The declared actions.</summary>
    public IEnumerable<EntityUid> Actions => Model.Actions.Keys;

    /// <summary>Whether entities of <paramref name="entityType"/> may carry the attribute <paramref name="attribute"/>.</summary>
    public bool DeclaresAttribute(string entityType, string attribute)
    {
        ArgumentNullException.ThrowIfNull(entityType);
        ArgumentNullException.ThrowIfNull(attribute);
        return Model.EntityTypes.TryGetValue(entityType, out var definition) && definition.Attributes.Attributes.ContainsKey(attribute);
    }

    /// <summary>Parses the human schema syntax; throws <see cref="CedarParseException"/> with line and column.</summary>
    public static Schema Parse(string cedarschemaText, string? source = null)
    {
        ArgumentNullException.ThrowIfNull(cedarschemaText);
        return Build(() => CedarSchemaParser.Parse(cedarschemaText), source);
    }

    /// <summary>Parses the JSON schema format; throws <see cref="CedarParseException"/> naming the JSON path or position.</summary>
    public static Schema ParseJson(string json, string? source = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        return Build(() => JsonSchemaParser.Parse(json), source);
    }

    /// <summary>
    /// Checks a request against the schema: the action is declared, the principal and resource types are ones it
    /// applies to, and the context has the declared shape. Returns one message per problem (empty when valid).
    /// </summary>
    public IReadOnlyList<string> ValidateRequest(Request request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return SchemaConformance.CheckRequest(Model, request);
    }

    /// <summary>
    /// Checks every entity against the schema: declared type, enum ids, required and declared attributes with the
    /// right types, allowed parent types and tag types. Returns one message per problem (empty when valid).
    /// </summary>
    public IReadOnlyList<string> ValidateEntities(Entities entities)
    {
        ArgumentNullException.ThrowIfNull(entities);
        return SchemaConformance.CheckEntities(Model, entities);
    }

    private static Schema Build(Func<List<RawNamespace>> parse, string? source)
    {
        try
        {
            return new Schema(SchemaBuilder.Build(parse()));
        }
        catch (SchemaSyntaxException ex)
        {
            var location = ex.Location;
            string message = location.Path is null ? ex.Message : $"{ex.Message} (at {location.Path})";
            throw new CedarParseException([new CedarDiagnostic("schema", message, source, location.Line, location.Column)]);
        }
        catch (InsufficientExecutionStackException)
        {
            throw new CedarParseException([new CedarDiagnostic("schema", "schema is nested too deeply", source, 0, 0)]);
        }
    }
}
