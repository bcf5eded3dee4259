namespace Mandate.Core.Detection;

/// <summary>Filters for alerts; every filter given must match. Results are in alert sequence order.</summary>
internal sealed record AlertQuery
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    public string? Rule { get; init; }

    public string? Identity { get; init; }

    public DateTimeOffset? Since { get; init; }

    public DateTimeOffset? Until { get; init; }

    /// <summary>Only alerts after this sequence number (paging, and the stream's Last-Event-ID).</summary>
    public long AfterSequence { get; init; }

    public int Limit { get; init; } = DefaultLimit;
}
