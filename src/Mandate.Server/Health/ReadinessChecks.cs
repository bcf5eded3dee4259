using System.Collections.Concurrent;

namespace Mandate.Server.Health;

/// <summary>
/// Components report what keeps the server from being ready (a rejected policy set, an audit chain that does not
/// verify) under a key of their own; <c>/readyz</c> lists them.
/// </summary>
internal sealed class ReadinessChecks
{
    private readonly ConcurrentDictionary<string, string> problems = new(StringComparer.Ordinal);

    public void Report(string component, string? problem)
    {
        if (problem is null)
        {
            problems.TryRemove(component, out _);
        }
        else
        {
            problems[component] = problem;
        }
    }

    public IEnumerable<string> Problems() => problems.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}: {p.Value}");
}
