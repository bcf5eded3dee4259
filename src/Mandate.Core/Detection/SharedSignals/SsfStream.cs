namespace Mandate.Core.Detection.SharedSignals;

/// <summary>
/// A Shared Signals stream Mandate transmits on: who receives (<see cref="Audience"/>), how (push to
/// <see cref="EndpointUrl"/> per RFC 8935, or poll per RFC 8936), which events, and its status.
/// <see cref="ProtectedAuthorization"/>: the Authorization header value pushes carry, encrypted (or null).
/// </summary>
internal sealed record SsfStream
{
    public required string Id { get; init; }

    public required IReadOnlyList<string> Audience { get; init; }

    public required string DeliveryMethod { get; init; }

    /// <summary>The receiver's push endpoint (push streams); null for poll streams (their endpoint is Mandate's).</summary>
    public Uri? EndpointUrl { get; init; }

    public string? ProtectedAuthorization { get; init; }

    public required IReadOnlyList<string> EventsRequested { get; init; }

    public string? Description { get; init; }

    public string Status { get; init; } = SsfStreamStatus.Enabled;

    public string? Reason { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>The requested events Mandate supports: what the stream delivers.</summary>
    public IReadOnlyList<string> EventsDelivered => [.. EventsRequested.Where(e => SsfEventTypes.Supported.Contains(e, StringComparer.Ordinal))];

    public bool IsPush => DeliveryMethod == SsfDeliveryMethods.Push;
}

/// <summary>Delivery methods (SSF 1.0): push (RFC 8935) and poll (RFC 8936).</summary>
internal static class SsfDeliveryMethods
{
    public const string Push = "urn:ietf:rfc:8935";
    public const string Poll = "urn:ietf:rfc:8936";

    public static readonly IReadOnlyList<string> All = [Push, Poll];
}

/// <summary>Stream status (SSF 1.0): enabled transmits; paused holds events until enabled; disabled drops them.</summary>
internal static class SsfStreamStatus
{
    public const string Enabled = "enabled";
    public const string Paused = "paused";
    public const string Disabled = "disabled";

    public static readonly IReadOnlyList<string> All = [Enabled, Paused, Disabled];
}

/// <summary>A stream's configuration as the store keeps it (JSON).</summary>
internal sealed record StoredConfig(string Method, string? EndpointUrl, List<string> EventsRequested, List<string> Audience, string? Description);
