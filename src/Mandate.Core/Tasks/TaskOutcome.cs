namespace Mandate.Core.Tasks;

/// <summary>
/// What happened to a task request: the task (and, when one was issued, its credential token), or a refusal with a
/// stable code from <see cref="TaskErrorCodes"/> and a message for the caller.
/// </summary>
internal sealed record TaskOutcome(MandateTask? Task, string? Token, string? ErrorCode, string? Message)
{
    public IReadOnlyList<string> Reasons { get; init; } = [];

    public string? CredentialJti { get; init; }

    public int RevokedCount { get; init; }

    public bool Succeeded => ErrorCode is null;

    public static TaskOutcome Fail(string code, string message) => new(null, null, code, message);
}
