namespace Mandate.Core.Policies;

/// <summary>
/// Everything a policy set is made of, as text: the Cedar files, the entities (Cedar entity JSON) and an optional
/// schema. A bundle is what is versioned, stored and replaced.
/// </summary>
internal sealed record PolicyBundle(IReadOnlyList<PolicyFile> Policies, string? EntitiesJson, string? Schema)
{
    public const string EntitiesFileName = "entities.json";
    public const string SchemaFileName = "schema.cedarschema";
}
