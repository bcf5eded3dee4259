namespace Mandate.Core.Governance.Offboarding;

/// <summary>An owner offboarded with <c>mandate offboard</c>: nothing new may be registered or imported for it.</summary>
internal sealed record DepartedOwner(string Owner, DateTimeOffset DepartedAt, string DepartedBy, string Reason, string OffboardingId);
