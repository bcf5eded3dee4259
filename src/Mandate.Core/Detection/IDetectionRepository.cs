namespace Mandate.Core.Detection;

/// <summary>Persistence of the detection engine: its cursor in the audit chain, rule state, alerts and risk.</summary>
internal interface IDetectionRepository
{
    /// <summary>The last audit sequence the engine processed.</summary>
    Task<long> GetCursorAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Moves the cursor from <paramref name="expected"/> to <paramref name="next"/>; false, changing nothing, when it
    /// is no longer at <paramref name="expected"/> (another node processed those records first).
    /// </summary>
    Task<bool> AdvanceCursorAsync(long expected, long next, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Every rule-state entry (key → JSON).</summary>
    Task<IReadOnlyDictionary<string, string>> LoadStateAsync(CancellationToken cancellationToken);

    /// <summary>Writes changed entries; a null value deletes the key.</summary>
    Task SaveStateAsync(IReadOnlyCollection<KeyValuePair<string, string?>> changes, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The highest alert sequence so far (0 when none).</summary>
    Task<long> GetLastAlertSequenceAsync(CancellationToken cancellationToken);

    Task AddAlertAsync(DetectionAlert alert, CancellationToken cancellationToken);

    /// <summary>Records what the lifecycle responses of an alert did.</summary>
    Task UpdateResponseAsync(string alertId, AlertResponse response, CancellationToken cancellationToken);

    /// <summary>One alert by its id (<c>alt_…</c>), or null.</summary>
    Task<DetectionAlert?> GetAlertAsync(string id, CancellationToken cancellationToken);

    Task<IReadOnlyList<DetectionAlert>> QueryAlertsAsync(AlertQuery query, CancellationToken cancellationToken);

    /// <summary>Alerts whose lifecycle responses have not run yet, oldest first.</summary>
    Task<IReadOnlyList<DetectionAlert>> ListPendingResponsesAsync(int limit, CancellationToken cancellationToken);

    Task<IReadOnlyList<StoredRisk>> LoadRiskAsync(CancellationToken cancellationToken);

    /// <summary>One identity's stored risk, or null when it has none.</summary>
    Task<StoredRisk?> GetRiskAsync(string identity, CancellationToken cancellationToken);

    /// <summary>Stores the identity's risk and, on a shared store, announces it on <see cref="Storage.StoreChannels.Risk"/> at commit.</summary>
    Task SetRiskAsync(StoredRisk risk, CancellationToken cancellationToken);
}
