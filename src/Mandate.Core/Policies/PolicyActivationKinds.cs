namespace Mandate.Core.Policies;

/// <summary>How a policy-set version came to be active.</summary>
internal static class PolicyActivationKinds
{
    /// <summary>A bundle was loaded (admin API, policy directory, demo, start-up).</summary>
    public const string Activation = "activation";

    /// <summary>An operator returned to a version stored earlier.</summary>
    public const string Rollback = "rollback";
}
