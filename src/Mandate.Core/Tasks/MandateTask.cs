namespace Mandate.Core.Tasks;

/// <summary>A unit of work an attested workload or agent opened, and the lease its credentials live under.</summary>
internal sealed record MandateTask
{
    public required string Id { get; init; }

    /// <summary>The SPIFFE ID that opened the task (the task credential's <c>sub</c>).</summary>
    public required string Subject { get; init; }

    public required TaskIntent Intent { get; init; }

    /// <summary>See <see cref="MandateTaskStatus"/>.</summary>
    public required string Status { get; init; }

    public required DateTimeOffset OpenedAt { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>The latest time renewals may extend the lease to.</summary>
    public required DateTimeOffset LeaseLimit { get; init; }

    public int Renewals { get; init; }

    public DateTimeOffset? ClosedAt { get; init; }

    public string? CloseReason { get; init; }

    public string? DecisionId { get; init; }

    public string? PolicyVersion { get; init; }

    public bool IsOpen => Status == MandateTaskStatus.Open;
}
