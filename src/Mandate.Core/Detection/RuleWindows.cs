namespace Mandate.Core.Detection;

/// <summary>The sliding-window counting and the cooldowns the rules share. Times are ledger times in Unix ms.</summary>
internal static class RuleWindows
{
    /// <summary>Most entries kept per window: thresholds are at most 1000, and folded records carry counts.</summary>
    private const int MaxEntries = 1000;

    /// <summary>Most sequence numbers an alert names as evidence.</summary>
    public const int MaxEvidence = 50;

    /// <summary>Whether <paramref name="key"/> is still quiet after an earlier hit.</summary>
    public static bool Quiet(IdentityDetectionState state, string key, long at)
    {
        if (!state.QuietUntil.TryGetValue(key, out var until))
        {
            return false;
        }

        if (until > at)
        {
            return true;
        }

        state.QuietUntil.Remove(key);
        return false;
    }

    public static void Silence(IdentityDetectionState state, string key, long at, TimeSpan cooldown)
    {
        if (cooldown > TimeSpan.Zero)
        {
            state.QuietUntil[key] = at + (long)cooldown.TotalMilliseconds;
        }
    }

    /// <summary>
    /// Counts <paramref name="entry"/> in the window <paramref name="key"/>; when the window then holds
    /// <see cref="DetectionRuleSettings.Threshold"/> or more and the rule is not quiet, empties it, starts the
    /// cooldown and returns the evidence (the window's records). Null otherwise.
    /// </summary>
    public static IReadOnlyList<long>? Count(IdentityDetectionState state, string key, WindowEntry entry, DetectionRuleSettings settings)
    {
        if (!state.Windows.TryGetValue(key, out var window))
        {
            window = [];
            state.Windows[key] = window;
        }

        window.Add(entry);
        var horizon = entry.At - (long)settings.Window.TotalMilliseconds;
        window.RemoveAll(e => e.At <= horizon);
        if (window.Count > MaxEntries)
        {
            window.RemoveRange(0, window.Count - MaxEntries);
        }

        var total = window.Sum(e => e.Count);
        if (total < settings.Threshold || Quiet(state, key, entry.At))
        {
            return null;
        }

        var evidence = Evidence(window.Select(e => e.Seq));
        window.Clear();
        state.Windows.Remove(key);
        Silence(state, key, entry.At, settings.Cooldown);
        return evidence;
    }

    /// <summary>Forgets windows whose every entry is older than <paramref name="window"/> (keeps the stored state small).</summary>
    public static void Expire(IdentityDetectionState state, string key, long at, TimeSpan window)
    {
        if (state.Windows.TryGetValue(key, out var entries) && entries.TrueForAll(e => e.At <= at - (long)window.TotalMilliseconds))
        {
            state.Windows.Remove(key);
        }
    }

    /// <summary>Distinct sequence numbers in order, the newest <see cref="MaxEvidence"/>.</summary>
    public static IReadOnlyList<long> Evidence(IEnumerable<long> seqs)
    {
        var ordered = seqs.Distinct().Order().ToList();
        return ordered.Count <= MaxEvidence ? ordered : ordered[^MaxEvidence..];
    }
}
