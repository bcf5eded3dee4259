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
