namespace Mandate.Core.Detection;

/// <summary>The detection engine and risk (configuration section <c>Mandate:Detection</c>).</summary>
internal sealed class DetectionOptions
{
    public const string SectionName = "Mandate:Detection";

    /// <summary>Whether the engine runs. Off: no alerts, and every identity's risk stays where it is.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Risk halves every this long without new hits.</summary>
    public TimeSpan RiskHalfLife { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// The engine is fed by this node's appends as they commit; this often it also reads the ledger past its cursor
    /// for what the feed cannot carry (records other nodes appended). A safety net, not the way events arrive.
    /// </summary>
    public TimeSpan CatchUpInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// At most this many ledger records are processed (and committed with their alerts) at once. Under a steady load
    /// the feed holds more than one batch, and fewer, larger commits write each identity's state once per batch
    /// instead of once per few hundred records; a quiet ledger still commits each record as it comes.
    /// </summary>
    public int BatchSize { get; set; } = 5000;

    /// <summary>
    /// Records that raise no alert are processed in memory, and the cursor and rule state they moved are saved with the
    /// next alert, after <see cref="BatchSize"/> records, or this long after the first unsaved record, whichever comes
    /// first (zero: with every batch). A restart (or a crash) processes the unsaved records again from the ledger: the
    /// rules follow ledger time, so the replay rebuilds the same state, and no alert can be raised twice because an
    /// alert is only ever committed together with the cursor that covers its records.
    /// </summary>
    public TimeSpan SaveInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Per-rule settings by rule name (<see cref="DetectionRuleNames"/>).</summary>
    public Dictionary<string, DetectionRuleOptions> Rules { get; } = new(StringComparer.Ordinal);
}
