namespace Mandate.Cedar;

/// <summary>An authorization request: who (principal) does what (action) to what (resource), in which context.</summary>
public sealed record Request(EntityUid Principal, EntityUid Action, EntityUid Resource, IReadOnlyDictionary<string, CedarValue> Context)
{
    private static readonly IReadOnlyDictionary<string, CedarValue> NoContext = new Dictionary<string, CedarValue>(StringComparer.Ordinal);

    /// <summary>A request with an empty context.</summary>
    public Request(EntityUid principal, EntityUid action, EntityUid resource)
        : this(principal, action, resource, NoContext)
    {
    }
}
