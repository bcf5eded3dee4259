using Mandate.Core.Storage;
using Microsoft.Extensions.Logging;

namespace Mandate.Core.Policies;

/// <summary>
/// Hot reload of a <c>--data DIR</c>: a change to a policy file schedules a reload after a short quiet period (editors
/// write files in several steps); the reload compiles the whole directory and swaps it in, or reports why not and
/// keeps the current set.
/// </summary>
internal sealed partial class PolicyDirectoryWatcher : IDisposable
{
    private static readonly TimeSpan QuietPeriod = TimeSpan.FromMilliseconds(200);

    private readonly string directory;
    private readonly PolicyService policies;
    private readonly ILogger logger;
    private readonly SemaphoreSlim reloading = new(1, 1);
    private readonly ITimer debounce;
    private FileSystemWatcher? watcher;

    public PolicyDirectoryWatcher(string directory, PolicyService policies, TimeProvider time, ILogger<PolicyDirectoryWatcher> logger)
    {
        ArgumentNullException.ThrowIfNull(time);
        this.directory = Path.GetFullPath(directory);
        this.policies = policies;
        this.logger = logger;
        debounce = time.CreateTimer(_ => _ = ReloadInBackgroundAsync(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public string Directory => directory;

    /// <summary>Raised after each reload attempt, successful or not (tests wait on it instead of sleeping).</summary>
    public event EventHandler? Reloaded;

    public void Start()
    {
        watcher = new FileSystemWatcher(directory)
        {
            IncludeSubdirectories = false,
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
        };
        watcher.Changed += OnChanged;
        watcher.Created += OnChanged;
        watcher.Deleted += OnChanged;
        watcher.Renamed += OnChanged;
        watcher.EnableRaisingEvents = true;
    }

    /// <summary>Loads the directory now; returns the activated snapshot, or null when it was rejected or unchanged.</summary>
    public async Task<PolicySnapshot?> ReloadAsync(CancellationToken cancellationToken)
    {
        await reloading.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var bundle = PolicyDirectory.Read(directory);
            if (PolicyCompiler.VersionOf(bundle) == policies.Active.Current.Version && policies.Active.LastRejection is null)
            {
                return null;
            }

            return await policies.ActivateAsync(bundle, "data:" + directory, "system", cancellationToken).ConfigureAwait(false);
        }
        catch (PolicySetRejectedException)
        {
            // Already logged, reported and audited by the policy service; the previous set stays in force.
            return null;
        }
        finally
        {
            reloading.Release();
            Reloaded?.Invoke(this, EventArgs.Empty);
        }
    }

    public void Dispose()
    {
        watcher?.Dispose();
        debounce.Dispose();
        reloading.Dispose();
    }

    private void OnChanged(object sender, FileSystemEventArgs e)
    {
        if (PolicyDirectory.IsPolicyFile(e.FullPath) || (e is RenamedEventArgs r && PolicyDirectory.IsPolicyFile(r.OldFullPath)))
        {
            debounce.Change(QuietPeriod, Timeout.InfiniteTimeSpan);
        }
    }

    private async Task ReloadInBackgroundAsync()
    {
        try
        {
            await ReloadAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (StoreException e)
        {
            LogReloadFailed(logger, e, directory);
        }
        catch (ObjectDisposedException)
        {
            // The server is shutting down.
        }
    }

    [LoggerMessage(EventId = 4010, Level = LogLevel.Error, Message = "Reloading policies from {Directory} failed")]
    private static partial void LogReloadFailed(ILogger logger, Exception exception, string directory);
}
