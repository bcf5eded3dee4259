using System.Diagnostics;
using Mandate.Core.Storage;

namespace Mandate.Core.Telemetry;

/// <summary>
/// A number read from the store for a gauge, at most once per <c>maxAge</c> however often it is scraped: a scrape
/// takes the last value and, when that is older, starts one refresh in the background. Until the first read completes
/// there is no value. A failed read keeps the last value (the store error is counted where it is raised).
/// </summary>
internal sealed class CachedStoreReading(Func<CancellationToken, Task<long>> read, Func<TimeSpan> maxAge)
{
    private long value;
    private long readAt;
    private int hasValue;
    private int refreshing;

    public bool TryGet(out long current)
    {
        if (Volatile.Read(ref hasValue) == 0 || Stopwatch.GetElapsedTime(Volatile.Read(ref readAt)) > maxAge())
        {
            Refresh();
        }

        current = Interlocked.Read(ref value);
        return Volatile.Read(ref hasValue) == 1;
    }

    /// <summary>Starts a read in the background unless one is running.</summary>
    public void Refresh()
    {
        if (Interlocked.CompareExchange(ref refreshing, 1, 0) != 0)
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                Interlocked.Exchange(ref value, await read(timeout.Token).ConfigureAwait(false));
                Volatile.Write(ref readAt, Stopwatch.GetTimestamp());
                Volatile.Write(ref hasValue, 1);
            }
            catch (Exception e) when (e is StoreException or OperationCanceledException or InvalidOperationException)
            {
                // The last value stands; the next scrape tries again.
            }
            finally
            {
                Volatile.Write(ref refreshing, 0);
            }
        });
    }
}
