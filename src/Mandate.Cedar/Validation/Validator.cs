using Mandate.Cedar.Validation;

namespace Mandate.Cedar;

/// <summary>Cedar's policy validator: checks a policy set against a schema before it is used.</summary>
public static class Validator
{
    /// <summary>
    /// Validates every policy and template of <paramref name="policies"/> against <paramref name="schema"/>.
    /// Never throws on policy content; the result lists errors (the set is invalid) and warnings.
    /// </summary>
    public static ValidationResult Validate(PolicySet policies, Schema schema, ValidationMode mode = ValidationMode.Strict)
    {
        ArgumentNullException.ThrowIfNull(policies);
        ArgumentNullException.ThrowIfNull(schema);
        var lowered = policies.Policies.Select(p => PolicyLowering.Lower(p.Id, p.Ast, p.Source));
        return new PolicyValidator(schema.Model, mode).Validate(lowered);
    }
}
