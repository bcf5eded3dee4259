using Mandate.Cedar.Values;

namespace Mandate.Cedar.Evaluation;

/// <summary>
/// The request being evaluated and the error slot: expressions return null on error and leave the message here, so
/// erroring policies cost no exception.
/// </summary>
internal sealed class EvaluationContext
{
    public EvaluationContext()
    {
        Entities = Entities.Empty;
        Principal = Action = Resource = new EntityValue(default);
        Context = RecordValue.Empty;
    }

    public EvaluationContext(Request request, Entities entities)
    {
        Entities = entities;
        Principal = new EntityValue(request.Principal);
        Action = new EntityValue(request.Action);
        Resource = new EntityValue(request.Resource);
        Context = new RecordValue(request.Context);
    }

    public Entities Entities { get; }

    public EntityValue Principal { get; }

    public EntityValue Action { get; }

    public EntityValue Resource { get; }

    public RecordValue Context { get; }

    public string? Error { get; private set; }

    // The request's principal and resource are looked up by most policies: resolve each once per request.
    private Entities.StoredEntity? principalEntry;
    private Entities.StoredEntity? resourceEntry;
    private bool principalResolved;
    private bool resourceResolved;

    /// <summary>The stored entity behind <paramref name="value"/>, with the request's principal and resource cached.</summary>
    public bool TryGetStored(EntityValue value, out Entities.StoredEntity stored)
    {
        if (ReferenceEquals(value, Principal))
        {
            if (!principalResolved)
            {
                principalEntry = Entities.TryGetStored(value.Uid, out var found) ? found : null;
                principalResolved = true;
            }

            stored = principalEntry!;
            return principalEntry is not null;
        }

        if (ReferenceEquals(value, Resource))
        {
            if (!resourceResolved)
            {
                resourceEntry = Entities.TryGetStored(value.Uid, out var found) ? found : null;
                resourceResolved = true;
            }

            stored = resourceEntry!;
            return resourceEntry is not null;
        }

        return Entities.TryGetStored(value.Uid, out stored);
    }

    /// <summary><c>child in parent</c>: equal, or <paramref name="parent"/> is among the child's precomputed ancestors.</summary>
    public bool IsIn(EntityValue child, EntityUid parent) =>
        child.Uid == parent || (TryGetStored(child, out var stored) && stored.Ancestors.Contains(parent));

    /// <summary><c>child in set</c> for a set that holds only entities.</summary>
    public bool IsInAny(EntityValue child, SetValue set)
    {
        var ancestors = TryGetStored(child, out var stored) ? stored.Ancestors : null;
        return Entities.IsInAny(child.Uid, ancestors, set);
    }

    /// <summary>Records an evaluation error and returns null, so callers can write <c>return context.Fail(...)</c>.</summary>
    public CedarValue? Fail(string message)
    {
        Error = message;
        return null;
    }

    public void ClearError() => Error = null;

    public CedarValue? TypeError(string expected, CedarValue actual) =>
        Fail($"type error: expected {expected}, got {TypeNames.Describe(actual)}");
}
