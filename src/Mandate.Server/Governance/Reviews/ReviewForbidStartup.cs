using Mandate.Core.Governance.Reviews;
using Mandate.Core.Policies;
using Mandate.Server.Hosting;

namespace Mandate.Server.Governance.Reviews;

/// <summary>
/// Keeps access-review revocations in force: after the policies load (a directory or the demo bundle is activated at
/// every start, without them) and after any later activation that is not a review's own (a directory reload, a push, a
/// rollback), the forbids of every revoked entitlement are put back in a new activation (origin <c>review:restore</c>).
/// </summary>
internal sealed partial class ReviewForbidStartup(ReviewService reviews, PolicyService policies, IHostApplicationLifetime lifetime, ILogger<ReviewForbidStartup> logger) : IStartupTask
{
    public int Order => 450;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await RestoreAsync(cancellationToken);
        policies.Active.Activated += (_, snapshot) =>
        {
            if (!snapshot.Origin.StartsWith("review:", StringComparison.Ordinal))
            {
                // Not on the activating thread: that one may hold the review lock (a review's own activation never gets here).
                _ = Task.Run(() => RestoreAsync(lifetime.ApplicationStopping), CancellationToken.None);
            }
        };
    }

    private async Task RestoreAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (await reviews.EnsureForbidsAsync("system", cancellationToken) is { } restored)
            {
                LogRestored(logger, restored.Version);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException && lifetime.ApplicationStopping.IsCancellationRequested)
        {
            // The server is stopping: the next start puts them back.
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogRestoreFailed(logger, ex);
        }
    }

    [LoggerMessage(EventId = 6610, Level = LogLevel.Information, Message = "Access-review revocations put back into the active policies: version {Version}")]
    private static partial void LogRestored(ILogger logger, string version);

    [LoggerMessage(EventId = 6611, Level = LogLevel.Error, Message = "Access-review revocations could not be put back into the active policies; revoked entitlements may be allowed until the next activation")]
    private static partial void LogRestoreFailed(ILogger logger, Exception exception);
}
