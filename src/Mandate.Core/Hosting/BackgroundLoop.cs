using Microsoft.Extensions.Logging;

namespace Mandate.Core.Hosting;

/// <summary>
/// The one way Mandate's background loops run: a round that throws anything (a store outage, a defect) is logged,
/// recorded in <see cref="BackgroundHealth"/> and retried after a capped, jittered exponential backoff; the loop ends
/// only when the host stops. No background failure can stop the host.
/// </summary>
internal sealed partial class BackgroundLoop(string name, BackgroundHealth health, TimeProvider time, ILogger logger)
{
    private int successes;

    public string Name => name;

    /// <summary>Runs <paramref name="round"/> every <paramref name="interval"/> (sooner again, with backoff, after a failure).</summary>
    public async Task RunPeriodicAsync(TimeSpan interval, Func<CancellationToken, Task> round, CancellationToken stoppingToken)
    {
        ArgumentNullException.ThrowIfNull(round);
        health.Started(name);
        var backoff = new RetryBackoff(RetryBackoff.DefaultInitial, Min(RetryBackoff.DefaultCap, interval * 4));
        var pause = interval;
        while (!stoppingToken.IsCancellationRequested)
        {
            if (!await DelayAsync(pause, stoppingToken).ConfigureAwait(false))
            {
                return;
            }

            pause = await RunRoundAsync(round, backoff, stoppingToken).ConfigureAwait(false) ? interval : backoff.Next();
        }
    }

    /// <summary>
    /// Runs <paramref name="body"/> (a listener that runs until its connection breaks) again and again: after it
    /// fails, with backoff (capped at <paramref name="maxBackoff"/>, by default <see cref="RetryBackoff.DefaultCap"/>);
    /// after it returns, at once.
    /// </summary>
    public async Task RunContinuouslyAsync(Func<CancellationToken, Task> body, CancellationToken stoppingToken, Action? onFailure = null, TimeSpan? maxBackoff = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        health.Started(name);
        var backoff = new RetryBackoff(RetryBackoff.DefaultInitial, maxBackoff ?? RetryBackoff.DefaultCap);
        while (!stoppingToken.IsCancellationRequested)
        {
            var successesBefore = Volatile.Read(ref successes);
            if (await RunRoundAsync(body, backoff, stoppingToken).ConfigureAwait(false))
            {
                continue;
            }

            if (Volatile.Read(ref successes) != successesBefore)
            {
                // It was up (the body said so through Succeeded) before this failure: start the backoff afresh.
                backoff.Reset();
            }

            onFailure?.Invoke();
            if (!await DelayAsync(backoff.Next(), stoppingToken).ConfigureAwait(false))
            {
                return;
            }
        }
    }

    /// <summary>Runs <paramref name="round"/> until it succeeds (or the host stops); true when it did.</summary>
    public async Task<bool> RunUntilSuccessAsync(Func<CancellationToken, Task> round, CancellationToken stoppingToken)
    {
        ArgumentNullException.ThrowIfNull(round);
        var backoff = new RetryBackoff();
        while (!stoppingToken.IsCancellationRequested)
        {
            if (await RunRoundAsync(round, backoff, stoppingToken).ConfigureAwait(false))
            {
                return true;
            }

            if (!await DelayAsync(backoff.Next(), stoppingToken).ConfigureAwait(false))
            {
                return false;
            }
        }

        return false;
    }

    /// <summary>One round; a failure is logged and recorded, never thrown (except the stop the caller asked for).</summary>
    public async Task<bool> RunRoundAsync(Func<CancellationToken, Task> round, RetryBackoff backoff, CancellationToken stoppingToken)
    {
        ArgumentNullException.ThrowIfNull(round);
        ArgumentNullException.ThrowIfNull(backoff);
        try
        {
            await round(stoppingToken).ConfigureAwait(false);
            if (backoff.Failures > 0)
            {
                LogRecovered(logger, name, backoff.Failures);
            }

            backoff.Reset();
            health.Succeeded(name);
            return true;
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return false;
        }
#pragma warning disable CA1031 // The point of the loop: whatever a round throws, the host keeps running and the round is retried.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Failed(ex);
            return false;
        }
    }

    /// <summary>Records and logs a failure of work run outside <see cref="RunRoundAsync"/>.</summary>
    public void Failed(Exception exception)
    {
        var state = health.Failed(name, exception);
        var since = state.FailingSince ?? time.GetUtcNow();
        if (exception is Storage.StoreException)
        {
            // A store outage is expected operation, not a defect: its message says what is wrong, a stack trace would not.
            LogStoreFailed(logger, name, state.LastErrorKind ?? "store", state.Failures, since, exception.Message);
        }
        else
        {
            LogFailed(logger, exception, name, state.LastErrorKind ?? "unknown", state.Failures, since);
        }
    }

    /// <summary>Marks the loop running again from inside a long round (a listener that has reconnected).</summary>
    public void Succeeded()
    {
        Interlocked.Increment(ref successes);
        health.Succeeded(name);
    }

    private async Task<bool> DelayAsync(TimeSpan pause, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(pause, time, stoppingToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    [LoggerMessage(EventId = 1200, Level = LogLevel.Warning, Message = "Background loop {Loop} failed ({Kind}, {Failures} in a row since {Since:O}); retrying with backoff")]
    private static partial void LogFailed(ILogger logger, Exception exception, string loop, string kind, int failures, DateTimeOffset since);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Warning, Message = "Background loop {Loop} failed ({Kind}, {Failures} in a row since {Since:O}): {Problem}; retrying with backoff")]
    private static partial void LogStoreFailed(ILogger logger, string loop, string kind, int failures, DateTimeOffset since, string problem);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Information, Message = "Background loop {Loop} recovered after {Failures} failed attempts")]
    private static partial void LogRecovered(ILogger logger, string loop, int failures);
}
