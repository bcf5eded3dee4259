namespace Mandate.Core.Detection.SharedSignals;

/// <summary>
/// The receiver-supplied part of a stream configuration (SSF 1.0 §8.1.1): delivery method, push endpoint and its
/// Authorization header, events requested, description, and (a Mandate extension) the audience its SETs name.
/// A null member is "not given" (PATCH leaves it as it is).
/// </summary>
internal sealed record SsfStreamDraft
{
    public string? Method { get; init; }

    public string? EndpointUrl { get; init; }

    public string? AuthorizationHeader { get; init; }

    public IReadOnlyList<string>? EventsRequested { get; init; }

    public string? Description { get; init; }

    public IReadOnlyList<string>? Audience { get; init; }
}
