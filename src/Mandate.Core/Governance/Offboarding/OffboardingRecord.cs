namespace Mandate.Core.Governance.Offboarding;

/// <summary>A completed offboarding and its signed evidence pack (the JSON document, exactly as signed and handed out).</summary>
internal sealed record OffboardingRecord(string Id, string Owner, DateTimeOffset CreatedAt, string CreatedBy, string Evidence);
