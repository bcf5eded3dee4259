namespace Mandate.Server.Console;

/// <summary>Where the console lives; its middleware runs only under <see cref="Root"/>, never on the decision path.</summary>
internal static class ConsolePaths
{
    public const string Root = "/console";

    public static bool IsConsole(HttpContext context) => context.Request.Path.StartsWithSegments(Root, StringComparison.OrdinalIgnoreCase);

    /// <summary>The identity page of <paramref name="spiffeId"/>.</summary>
    public static string Identity(string spiffeId) => Root + "/identity?id=" + Uri.EscapeDataString(spiffeId);

    /// <summary>The page of task <paramref name="taskId"/>.</summary>
    public static string Task(string taskId) => Root + "/tasks/" + Uri.EscapeDataString(taskId);

    /// <summary>The page of the decision recorded as ledger event <paramref name="sequence"/>.</summary>
    public static string Decision(long sequence) => Root + "/decisions/" + sequence.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// The SPIFFE ID a ledger subject names, whether written plainly or as the Cedar entity the decision point records
    /// (<c>Workload::"spiffe://…"</c>), so the page can link it; null when it names none.
    /// </summary>
    public static string? SpiffeIdOf(string? subject)
    {
        if (subject is null)
        {
            return null;
        }

        var quoted = subject.IndexOf("::\"", StringComparison.Ordinal);
        var id = quoted > 0 && subject.EndsWith('"') ? subject[(quoted + 3)..^1] : subject;
        return id.StartsWith("spiffe://", StringComparison.Ordinal) && !id.Contains('"', StringComparison.Ordinal) ? id : null;
    }
}
