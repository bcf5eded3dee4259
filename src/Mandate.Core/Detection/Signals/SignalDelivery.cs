namespace Mandate.Core.Detection.Signals;

/// <summary>
/// One message to one target in the outbox: a webhook call (<see cref="SignalChannels.Webhook"/>, target the endpoint
/// id) or a Security Event Token (<see cref="SignalChannels.SharedSignals"/>, target the stream id, id the SET's jti).
/// </summary>
internal sealed record SignalDelivery
{
    public required string Id { get; init; }

    public required string Channel { get; init; }

    public required string Target { get; init; }

    /// <summary>The webhook event type or the SET's event type URI (the first of its events).</summary>
    public required string EventType { get; init; }

    /// <summary>The exact bytes to send (a JSON body, or a compact SET), as text.</summary>
    public required string Payload { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public string State { get; init; } = SignalDeliveryStates.Pending;

    public int Attempts { get; init; }

    public DateTimeOffset NextAttemptAt { get; init; }

    public int? LastStatus { get; init; }

    public string? LastError { get; init; }

    public DateTimeOffset? DoneAt { get; init; }
}

/// <summary>Where an outbox message goes.</summary>
internal static class SignalChannels
{
    public const string Webhook = "webhook";

    public const string SharedSignals = "ssf";
}

/// <summary>
/// The life of an outbox message: <see cref="Pending"/> until sent (or, on a poll stream, acknowledged),
/// <see cref="Delivered"/>, or <see cref="Dead"/> when every attempt failed or the receiver refused it for good.
/// </summary>
internal static class SignalDeliveryStates
{
    public const string Pending = "pending";

    public const string Delivered = "delivered";

    public const string Dead = "dead";
}
