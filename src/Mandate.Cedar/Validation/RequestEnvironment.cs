namespace Mandate.Cedar.Validation;

/// <summary>One combination the schema allows: a principal type, an action, a resource type and the action's context type;
/// for templates also the entity types assumed for the slots.</summary>
internal sealed record RequestEnvironment(
    string PrincipalType,
    EntityUid Action,
    string ResourceType,
    RecordType Context,
    string? PrincipalSlot,
    string? ResourceSlot);
