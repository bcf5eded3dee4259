namespace Mandate.Core.Detection.Signals;

/// <summary>Delivery of webhooks and pushed Security Event Tokens (<c>Mandate:Signals</c>).</summary>
internal sealed class SignalOptions
{
    public const string SectionName = "Mandate:Signals";

    /// <summary>Run the fan-out and the dispatcher.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Attempts before a message goes to the dead-letter list (1–50).</summary>
    public int MaxAttempts { get; set; } = 8;

    /// <summary>The wait after the first failed attempt; it doubles after each further one (with jitter), up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long one attempt may take (connect, send, answer).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the fan-out also reads past its cursor (records other nodes appended).</summary>
    public TimeSpan CatchUpInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// At most one fan-out round starts per this interval: records committed meanwhile are fanned out together, so a
    /// steady trickle of appends (one decision at a time) costs a round per interval rather than one per record. A
    /// message is written to the outbox at most this much later (zero: a round per wake-up).
    /// </summary>
    public TimeSpan MinimumRoundInterval { get; set; } = TimeSpan.FromMilliseconds(50);
}
