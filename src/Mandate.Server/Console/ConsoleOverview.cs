using Mandate.Core.Identity.Inventory;

namespace Mandate.Server.Console;

/// <summary>What the overview page shows, read in one go by <see cref="ConsoleOverviewReader"/>.</summary>
internal sealed record ConsoleOverview(
    IReadOnlyList<IdentityCount> Identities,
    long OpenTasks,
    long LiveCredentials,
    IReadOnlyDictionary<string, int> OpenFindingsBySeverity,
    IReadOnlyDictionary<string, int> RecentAlertsBySeverity,
    bool AlertsCapped,
    long LedgerHead,
    long? LastCheckpoint,
    string PolicyVersion,
    IReadOnlyList<DecisionMinute> DecisionsPerMinute,
    bool DecisionsCapped);

/// <summary>The allow and deny decisions recorded in the ledger during one minute.</summary>
internal sealed record DecisionMinute(DateTimeOffset Minute, int Allow, int Deny);
