namespace Mandate.Core.Governance.Findings;

/// <summary>What a recompute saw and changed.</summary>
internal sealed record FindingRecompute(int Identities, int Findings, int Opened, int Reopened, int Resolved, DateTimeOffset At);
