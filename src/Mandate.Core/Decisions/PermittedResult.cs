namespace Mandate.Core.Decisions;

/// <summary>
/// The answer of <see cref="AuthZenDecisionService.PermittedAsync"/>: the verdict on the presented credential, and when it
/// is valid, for each item whether its holder could do it now.
/// </summary>
internal sealed record PermittedResult(CredentialContext Credential, IReadOnlyList<bool> Permitted);
