namespace Mandate.Cedar;

/// <summary>The outcome of validating a policy set: errors make it invalid, warnings do not.</summary>
public sealed record ValidationResult(IReadOnlyList<ValidationIssue> Errors, IReadOnlyList<ValidationIssue> Warnings)
{
    /// <summary>True when there are no errors (warnings allowed).</summary>
    public bool IsValid => Errors.Count == 0;
}
