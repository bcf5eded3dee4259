using Microsoft.Extensions.Options;

namespace Mandate.Core.Governance.Findings;

internal sealed class GovernanceOptionsValidator : IValidateOptions<GovernanceOptions>
{
    public ValidateOptionsResult Validate(string? name, GovernanceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (options.StaleAfter <= TimeSpan.Zero)
        {
            errors.Add("Mandate:Governance:StaleAfter must be positive.");
        }

        if (options.RotateAfter <= TimeSpan.Zero)
        {
            errors.Add("Mandate:Governance:RotateAfter must be positive.");
        }

        if (options.MaxSecretAge <= TimeSpan.Zero)
        {
            errors.Add("Mandate:Governance:MaxSecretAge must be positive.");
        }

        if (options.GrantWindow <= TimeSpan.Zero)
        {
            errors.Add("Mandate:Governance:GrantWindow must be positive.");
        }

        if (string.IsNullOrWhiteSpace(options.PrincipalEntityType))
        {
            errors.Add("Mandate:Governance:PrincipalEntityType must name a Cedar entity type.");
        }

        if (options.RecomputeInterval < TimeSpan.FromSeconds(1))
        {
            errors.Add("Mandate:Governance:RecomputeInterval must be at least one second.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
