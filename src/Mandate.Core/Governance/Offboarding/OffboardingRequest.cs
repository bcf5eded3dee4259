namespace Mandate.Core.Governance.Offboarding;

/// <summary>Offboard <see cref="Owner"/>; with <see cref="TransferTo"/>, its registered identities go to the new owner (and a review for them) instead.</summary>
internal sealed record OffboardingRequest(string? Owner, string? Reason, string? TransferTo, string? Reviewer);
