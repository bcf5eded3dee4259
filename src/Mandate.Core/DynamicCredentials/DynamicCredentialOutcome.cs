namespace Mandate.Core.DynamicCredentials;

/// <summary>The answer to a request for a dynamic credential: the lease and its secret, or a task/dynamic-credential error code.</summary>
internal sealed record DynamicCredentialOutcome(DynamicCredentialLease? Lease, DynamicCredentialSecret? Secret, string? ErrorCode, string? Message)
{
    public IReadOnlyList<string> Reasons { get; init; } = [];

    public bool Succeeded => ErrorCode is null;

    public static DynamicCredentialOutcome Fail(string code, string message) => new(null, null, code, message);
}
