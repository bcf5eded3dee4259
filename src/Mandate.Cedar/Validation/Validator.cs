using System.Runtime.ExceptionServices;
using Mandate.Cedar.Validation;

namespace Mandate.Cedar;

/// <summary>Cedar's policy validator: checks a policy set against a schema before it is used.</summary>
public static class Validator
{
    // The typechecker recurses over expressions the parser allows up to 1,000 levels deep, several frames per level:
    // it runs on its own thread with a stack that fits that comfortably, whatever the caller's stack size.
    private const int ValidationStackBytes = 64 * 1024 * 1024;

    /// <summary>
    /// Validates every policy and template of <paramref name="policies"/> against <paramref name="schema"/>.
    /// Never throws on policy content; the result lists errors (the set is invalid) and warnings.
    /// </summary>
    public static ValidationResult Validate(PolicySet policies, Schema schema, ValidationMode mode = ValidationMode.Strict)
    {
        ArgumentNullException.ThrowIfNull(policies);
        ArgumentNullException.ThrowIfNull(schema);
        ValidationResult? result = null;
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(
            () =>
            {
                try
                {
                    var lowered = policies.Policies.Select(p => PolicyLowering.Lower(p.Id, p.Ast, p.Source));
                    result = new PolicyValidator(schema.Model, mode).Validate(lowered);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    failure = ExceptionDispatchInfo.Capture(ex);
                }
            },
            ValidationStackBytes)
        {
            IsBackground = true,
            Name = "Cedar validator",
        };
        thread.Start();
        thread.Join();
        failure?.Throw();
        return result!;
    }
}
