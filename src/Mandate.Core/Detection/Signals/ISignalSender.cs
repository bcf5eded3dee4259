namespace Mandate.Core.Detection.Signals;

/// <summary>Sends one outbox message of its <see cref="Channel"/> (one attempt).</summary>
internal interface ISignalSender
{
    string Channel { get; }

    /// <summary>One attempt; never throws for a failure of the target (that is a <see cref="SignalAttempt"/>).</summary>
    Task<SignalAttempt> SendAsync(SignalDelivery delivery, CancellationToken cancellationToken);
}

/// <summary>
/// The outcome of one attempt. <see cref="Permanent"/> failures (the receiver refused the message itself, the target is
/// gone) are not retried: the message goes to the dead-letter list at once. <see cref="Skip"/>: not pushed (a poll
/// stream, a paused stream): the message stays pending without counting an attempt.
/// </summary>
internal sealed record SignalAttempt(bool Delivered, bool Permanent, int? Status, string? Error, bool Skip = false)
{
    public static SignalAttempt Success(int status) => new(true, false, status, null);

    public static SignalAttempt Retry(int? status, string error) => new(false, false, status, error);

    public static SignalAttempt GiveUp(int? status, string error) => new(false, true, status, error);

    public static SignalAttempt NotPushed(string why) => new(false, false, null, why, Skip: true);
}
