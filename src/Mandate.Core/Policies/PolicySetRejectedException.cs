namespace Mandate.Core.Policies;

/// <summary>A bundle that does not parse, validate or load; each error names its file, line and column when known.</summary>
internal sealed class PolicySetRejectedException : Exception
{
    public PolicySetRejectedException()
        : this([])
    {
    }

    public PolicySetRejectedException(string message)
        : this([message])
    {
    }

    public PolicySetRejectedException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [message];
    }

    public PolicySetRejectedException(IReadOnlyList<string> errors)
        : base(errors.Count == 0 ? "The policy set was rejected." : "The policy set was rejected: " + string.Join("; ", errors))
    {
        Errors = errors;
    }

    public IReadOnlyList<string> Errors { get; }
}
