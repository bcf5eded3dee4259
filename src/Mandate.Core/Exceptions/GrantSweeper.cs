using Mandate.Core.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mandate.Core.Exceptions;

/// <summary>
/// Ends grants and lapses requests past their expiry every <see cref="ExceptionOptions.SweepInterval"/>, whether or not
/// anything asks for a decision: the store and the ledger (<c>exception.expired</c>) say so on time. A store error is
/// logged and retried (<see cref="BackgroundLoop"/>); it never stops the host. Decisions do not wait for it: an expired
/// grant never permits.
/// </summary>
internal sealed class GrantSweeper(
    ExceptionService exceptions,
    IOptions<ExceptionOptions> options,
    BackgroundHealth health,
    TimeProvider time,
    ILogger<GrantSweeper> logger) : BackgroundService
{
    public const string LoopName = "grant-sweeper";

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        new BackgroundLoop(LoopName, health, time, logger).RunPeriodicAsync(
            options.Value.SweepInterval,
            async token => await exceptions.SweepAsync(token).ConfigureAwait(false),
            stoppingToken);
}
