using System.Globalization;
using Mandate.Cli.Grammar;
using Mandate.Core;
using Mandate.Core.Identity;

namespace Mandate.Cli.Commands;

/// <summary>Reading the values several verbs share: SPIFFE IDs, durations, key=value pairs, URL path segments.</summary>
internal static class CommandArguments
{
    /// <summary>A SPIFFE ID, or a usage error naming <paramref name="what"/>.</summary>
    public static string SpiffeIdOrUsage(string? text, string what)
    {
        if (text is null)
        {
            throw CliException.Usage($"{what}: a SPIFFE ID is required.");
        }

        if (!SpiffeId.TryParse(text, out _, out var problem))
        {
            throw CliException.Usage($"{what}: '{text}' is not a SPIFFE ID: {problem}.");
        }

        return text;
    }

    /// <summary><c>90d</c>, <c>12h</c>, <c>30m</c>, <c>45s</c>: a positive duration; false for anything else.</summary>
    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = default;
        if (text.Length < 2 || !long.TryParse(text[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n <= 0 || n > 100_000)
        {
            return false;
        }

        duration = text[^1] switch
        {
            'd' => TimeSpan.FromDays(n),
            'h' => TimeSpan.FromHours(n),
            'm' => TimeSpan.FromMinutes(n),
            's' => TimeSpan.FromSeconds(n),
            _ => TimeSpan.Zero,
        };
        return duration > TimeSpan.Zero;
    }

    /// <summary>A duration in whole seconds (<c>600</c>, or <c>10m</c>), or a usage error naming <paramref name="option"/>.</summary>
    public static long? SecondsOrUsage(string? text, string option)
    {
        if (text is null)
        {
            return null;
        }

        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0)
        {
            return seconds;
        }

        return TryParseDuration(text, out var duration)
            ? (long)duration.TotalSeconds
            : throw CliException.Usage($"{option}: '{text}' is neither a number of seconds nor a duration (90d, 12h, 30m, 45s).");
    }

    /// <summary>An expiry: a duration from now or an RFC 3339 time with a zone.</summary>
    public static (long? TtlSeconds, DateTimeOffset? At) ExpiryOrUsage(string text, string option)
    {
        if (TryParseDuration(text, out var ttl))
        {
            return ((long)ttl.TotalSeconds, null);
        }

        return Rfc3339.TryParse(text, out var at)
            ? (null, at)
            : throw CliException.Usage($"{option}: '{text}' is neither a duration (90d, 12h, 30m) nor an RFC 3339 time.");
    }

    /// <summary><c>key=value</c> pairs (repeatable option), or a usage error naming <paramref name="option"/>.</summary>
    public static Dictionary<string, string> PairsOrUsage(IEnumerable<string>? pairs, string option)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs ?? [])
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw CliException.Usage($"{option}: '{pair}' is not key=value.");
            }

            map[pair[..equals]] = pair[(equals + 1)..];
        }

        return map;
    }

    /// <summary>A query string from the given (non-null) values: <c>?a=1&amp;b=2</c>, or empty.</summary>
    public static string Query(params (string Name, string? Value)[] parameters)
    {
        var given = parameters.Where(p => !string.IsNullOrEmpty(p.Value)).Select(p => p.Name + "=" + Uri.EscapeDataString(p.Value!)).ToList();
        return given.Count == 0 ? string.Empty : "?" + string.Join('&', given);
    }

    /// <summary>One URL path segment (slashes escaped too).</summary>
    public static string Segment(string value) => Uri.EscapeDataString(value);
}
