using System.Threading.Channels;

namespace Mandate.Core.Audit;

/// <summary>How a group-commit writer decides where a batch ends.</summary>
internal static class GroupCommit
{
    /// <summary>
    /// Appenders woken by the last commit are typically about to enqueue their next event; yielding until the queue
    /// stops growing (a few thread-pool turns at most, microseconds) lets the batch take them instead of leaving them
    /// for one more fsync. A lone event costs one yield.
    /// </summary>
    public static async ValueTask LetTheBatchFillAsync<T>(ChannelReader<T> reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        if (!reader.CanCount)
        {
            // A single-reader channel cannot count; one turn still lets the appenders already queued get in.
            await Task.Yield();
            return;
        }

        var seen = -1;
        for (var turn = 0; turn < 8 && reader.Count != seen; turn++)
        {
            seen = reader.Count;
            await Task.Yield();
        }
    }
}
