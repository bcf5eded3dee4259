using Mandate.Core.Credentials;

namespace Mandate.Core.Tasks;

/// <summary>An attested caller asks to open a task.</summary>
internal sealed record OpenTaskCommand
{
    /// <summary>The caller's SPIFFE ID, as authenticated.</summary>
    public required string Subject { get; init; }

    public required TaskIntent Intent { get; init; }

    /// <summary>Null: the default TTL.</summary>
    public TimeSpan? Ttl { get; init; }

    /// <summary>The key to bind the task credential to (from a DPoP proof or the client certificate).</summary>
    public ProofOfPossession? Confirmation { get; init; }

    public string? RequestId { get; init; }
}
