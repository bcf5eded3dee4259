using Mandate.Core.Hosting;
using Microsoft.Extensions.Logging;

namespace Mandate.Core.Policies;

/// <summary>
/// Hot reload of a <c>--data DIR</c>: a change to a policy file schedules a reload after a short quiet period (editors
/// write files in several steps); the reload compiles the whole directory and swaps it in, or reports why not and
/// keeps the current set.
/// </summary>
internal sealed class PolicyDirectoryWatcher : IDisposable
{
    private static readonly TimeSpan QuietPeriod = TimeSpan.FromMilliseconds(200);

    private readonly string directory;
    private readonly PolicyService policies;
    private readonly SemaphoreSlim reloading = new(1, 1);
    private readonly ITimer debounce;
    private readonly BackgroundLoop loop;
    private readonly RetryBackoff backoff = new();
    private readonly CancellationTokenSource disposed = new();
    private FileSystemWatcher? watcher;
    private int disposeCalls;

    public PolicyDirectoryWatcher(string directory, PolicyService policies, BackgroundHealth health, TimeProvider time, ILogger<PolicyDirectoryWatcher> logger)
    {
        ArgumentNullException.ThrowIfNull(time);
        this.directory = Path.GetFullPath(directory);
        this.policies = policies;
        loop = new BackgroundLoop(LoopName, health, time, logger);
        debounce = time.CreateTimer(_ => _ = ReloadInBackgroundAsync(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public const string LoopName = "policy-watcher";

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
        // Disposed by its owner and again by the container: only the first call does anything.
        if (Interlocked.Exchange(ref disposeCalls, 1) != 0)
        {
            return;
        }

        disposed.Cancel();
        watcher?.Dispose();
        debounce.Dispose();
        reloading.Dispose();
        disposed.Dispose();
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
        var stopping = disposed.Token;
        if (stopping.IsCancellationRequested)
        {
            return;
        }

        // A failed reload (the store down while recording the new version, a file half-written) is retried with
        // backoff; the set in force stays until one succeeds.
        if (!await loop.RunRoundAsync(ReloadAsync, backoff, stopping).ConfigureAwait(false) && !stopping.IsCancellationRequested)
        {
            try
            {
                debounce.Change(backoff.Next(), Timeout.InfiniteTimeSpan);
            }
            catch (ObjectDisposedException)
            {
                // The server is shutting down.
            }
        }
    }
}
