using System.Collections.Concurrent;

namespace Mandate.Server.Health;

/// <summary>
/// Components report what keeps the server from being ready (a rejected policy set, an audit chain that does not
/// verify) or what makes it serve in a degraded way (no policies loaded: everything is denied) under a key of their
/// own; <c>/readyz</c> lists them.
/// </summary>
internal sealed class ReadinessChecks
{
    private readonly ConcurrentDictionary<string, string> problems = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> warnings = new(StringComparer.Ordinal);

    /// <summary>A problem makes the server not ready (503) until it is cleared with null.</summary>
    public void Report(string component, string? problem) => Set(problems, component, problem);

    /// <summary>A warning makes the server degraded (still 200) until it is cleared with null.</summary>
    public void Warn(string component, string? warning) => Set(warnings, component, warning);

    public IEnumerable<string> Problems() => List(problems);

    public IEnumerable<string> Warnings() => List(warnings);

    private static void Set(ConcurrentDictionary<string, string> entries, string component, string? text)
    {
        if (text is null)
        {
            entries.TryRemove(component, out _);
        }
        else
        {
            entries[component] = text;
        }
    }

    private static IEnumerable<string> List(ConcurrentDictionary<string, string> entries) =>
        entries.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}: {p.Value}");
}
