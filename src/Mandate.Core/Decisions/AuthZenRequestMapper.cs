using System.Collections.Frozen;
using System.Text.Json;
using System.Text.RegularExpressions;
using Mandate.Cedar;
using Mandate.Core.Identity.Inventory;
using Mandate.Core.Policies;
using Mandate.Protocol.AuthZen;

namespace Mandate.Core.Decisions;

/// <summary>
/// Maps AuthZEN onto Cedar. <c>subject</c> → principal <c>type::"id"</c>; <c>action.name</c> → the declared action of
/// that name (else <c>Action::"name"</c>); <c>resource</c> → resource <c>type::"id"</c>. <c>properties</c> become
/// request-scoped overlay entities: the stored entity's attributes and parents, plus the properties the store does not
/// have (stored attributes are authoritative: a property naming one is ignored; with a schema, only declared attributes
/// are added). Ignored properties are reported (<see cref="DecisionRequest.IgnoredProperties"/>). <c>context</c> becomes the Cedar context, except the reserved members (<c>credential</c>,
/// <c>task</c>, <c>chain</c>, <c>chain_depth</c>, <c>risk</c>), which only the decision point sets, from a verified credential.
/// </summary>
internal sealed partial class AuthZenRequestMapper(CredentialContextBuilder credentials, IdentityStanding standing)
{
    /// <summary>The reason of a deny whose subject is an inventory identity that is no longer active.</summary>
    public const string IdentityInactiveReason = "identity_inactive";

    private static readonly IReadOnlyDictionary<string, CedarValue> NoContext = new Dictionary<string, CedarValue>(StringComparer.Ordinal);

    /// <summary>Context members a caller cannot set: the decision point derives them from the verified credential.</summary>
    public static readonly FrozenSet<string> ReservedContextMembers =
        new[] { "credential", CredentialProof.ContextMember, "task", "chain", "chain_depth", "risk" }.ToFrozenSet(StringComparer.Ordinal);

    public async ValueTask<MapOutcome> MapAsync(
        PolicySnapshot snapshot,
        AuthZenEntity? subject,
        AuthZenAction? action,
        AuthZenEntity? resource,
        JsonElement? context,
        AuthZenCall call,
        CancellationToken cancellationToken,
        string path = "")
    {
        // Validate the shape first so a bad request is a 400 whatever its credential says.
        var principal = EntityOf(snapshot, subject, path + "subject");
        var actionUid = ActionOf(snapshot, action, path + "action");
        var resourceUid = EntityOf(snapshot, resource, path + "resource");
        if (context is { } c && c.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null or JsonValueKind.Undefined))
        {
            throw new AuthZenRequestException($"{path}context must be a JSON object.");
        }

        // An inactive inventory identity is denied whatever the request carries, credential or not.
        if (standing.Check(principal.Id) is { } inactive)
        {
            return new MapOutcome(
                new DecisionRequest(principal, actionUid, resourceUid, NoContext, null) { RequestId = call.RequestId, Caller = call.Caller },
                new AuthZenDecision(false, null, null, [], [], DenyCode: IdentityInactiveReason, DenyDescription: inactive.Message));
        }

        var mappedContext = await credentials.BuildAsync(context, principal, actionUid, resourceUid, call, cancellationToken).ConfigureAwait(false);
        List<Entity>? overlay = null;
        List<string>? ignored = null;
        AddOverlay(snapshot, ref overlay, ref ignored, principal, subject!.Properties, path + "subject");
        AddOverlay(snapshot, ref overlay, ref ignored, actionUid, action!.Properties, path + "action");
        AddOverlay(snapshot, ref overlay, ref ignored, resourceUid, resource!.Properties, path + "resource");
        return new MapOutcome(
            new DecisionRequest(principal, actionUid, resourceUid, mappedContext.Context, overlay)
            {
                RequestId = call.RequestId,
                Caller = call.Caller,
                Client = call.Client,
                CredentialId = mappedContext.CredentialId,
                TaskId = mappedContext.TaskId,
                Chain = mappedContext.Chain,
                IgnoredProperties = ignored,
                RecordedContext = mappedContext.Recorded,
            },
            mappedContext.Denied);
    }

    /// <summary>
    /// Whether the credential in <paramref name="context"/> is alive and the subject's, and the subject an active
    /// identity: the question before a request that decides nothing.
    /// </summary>
    public async ValueTask<CredentialContext> CheckCredentialAsync(PolicySnapshot snapshot, AuthZenEntity? subject, JsonElement? context, AuthZenCall call, CancellationToken cancellationToken)
    {
        var principal = EntityOf(snapshot, subject, "subject");
        if (standing.Check(principal.Id) is { } inactive)
        {
            return CredentialContext.Invalid(IdentityInactiveReason, inactive.Message);
        }

        return await credentials.CheckAsync(context, principal, call, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>True when the type is a Cedar name the active schema declares (or any Cedar name without a schema).</summary>
    public bool IsKnownType(PolicySnapshot snapshot, string type) =>
        IsCedarName(type) && (snapshot.KnownEntityTypes is null || snapshot.KnownEntityTypes.Contains(type));

    /// <summary>Type names repeat across requests: remember the answers (bounded, so junk names cannot grow it).</summary>
    private static bool IsCedarName(string type)
    {
        if (CheckedNames.TryGetValue(type, out var valid))
        {
            return valid;
        }

        valid = CedarName().IsMatch(type);
        if (CheckedNames.Count < 4096)
        {
            CheckedNames[type] = valid;
        }

        return valid;
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> CheckedNames = new(StringComparer.Ordinal);

    private EntityUid EntityOf(PolicySnapshot snapshot, AuthZenEntity? entity, string member)
    {
        if (entity is null)
        {
            throw new AuthZenRequestException($"{member} is required.");
        }

        if (string.IsNullOrEmpty(entity.Type))
        {
            throw new AuthZenRequestException($"{member}.type is required.");
        }

        if (entity.Id is null)
        {
            throw new AuthZenRequestException($"{member}.id is required.");
        }

        if (!IsCedarName(entity.Type))
        {
            throw new AuthZenRequestException(AuthZenErrorCodes.UnknownEntityType, $"{member}.type '{entity.Type}' is not a Cedar entity type name.");
        }

        if (snapshot.KnownEntityTypes is { } known && !known.Contains(entity.Type))
        {
            throw new AuthZenRequestException(AuthZenErrorCodes.UnknownEntityType, $"{member}.type '{entity.Type}' is not declared by the active schema.");
        }

        return new EntityUid(entity.Type, entity.Id);
    }

    private static EntityUid ActionOf(PolicySnapshot snapshot, AuthZenAction? action, string member)
    {
        if (action is null)
        {
            throw new AuthZenRequestException($"{member} is required.");
        }

        if (string.IsNullOrEmpty(action.Name))
        {
            throw new AuthZenRequestException($"{member}.name is required.");
        }

        return snapshot.ActionFor(action.Name);
    }

    private static void AddOverlay(PolicySnapshot snapshot, ref List<Entity>? overlay, ref List<string>? ignored, EntityUid uid, JsonElement? properties, string member)
    {
        // An MCP primitive the store does not hold still sits in its server (McpEntities), so "resource in McpServer::…" holds.
        var implicitParents = McpEntities.ParentsOf(uid) is { } serverOf && !snapshot.Entities.TryGet(uid, out _) ? serverOf : null;
        if (properties is not { } json || json.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            if (implicitParents is not null)
            {
                (overlay ??= new List<Entity>(3)).Add(new Entity(uid, new Dictionary<string, CedarValue>(StringComparer.Ordinal), implicitParents, null));
            }

            return;
        }

        if (json.ValueKind != JsonValueKind.Object)
        {
            throw new AuthZenRequestException($"{member}.properties must be a JSON object.");
        }

        Dictionary<string, CedarValue> supplied;
        try
        {
            supplied = JsonCedar.ToAttributes(json);
        }
        catch (JsonException e)
        {
            throw new AuthZenRequestException($"{member}.properties: {e.Message}", e);
        }

        if (supplied.Count == 0 && implicitParents is null)
        {
            return;
        }

        // Stored attributes are authoritative: a property may only add what the store does not have (and, with a schema,
        // what the schema declares for the type), so "stage": "staging" cannot turn a production resource into staging.
        IEnumerable<EntityUid>? parents = implicitParents;
        IReadOnlyDictionary<string, CedarValue>? tags = null;
        var attributes = new Dictionary<string, CedarValue>(StringComparer.Ordinal);
        var storedCount = -1;
        if (snapshot.Entities.TryGet(uid, out var stored))
        {
            storedCount = stored.Attributes.Count;
            foreach (var (name, value) in stored.Attributes)
            {
                attributes[name] = value;
            }

            parents = stored.Parents;
            tags = stored.Tags;
        }

        foreach (var (name, value) in supplied)
        {
            if (attributes.ContainsKey(name) || (snapshot.Schema is { } schema && !schema.DeclaresAttribute(uid.Type, name)))
            {
                (ignored ??= []).Add($"{member}.properties.{name}");
                continue;
            }

            attributes[name] = value;
        }

        if ((attributes.Count == 0 && implicitParents is null) || attributes.Count == storedCount)
        {
            return;
        }

        (overlay ??= new List<Entity>(3)).Add(new Entity(uid, attributes, parents, tags));
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*(::[A-Za-z_][A-Za-z0-9_]*)*$", RegexOptions.CultureInvariant)]
    private static partial Regex CedarName();

    /// <summary>The Cedar request; <see cref="Denied"/> is set when the credential already decided (a deny).</summary>
    public readonly record struct MapOutcome(DecisionRequest Request, AuthZenDecision? Denied);
}
