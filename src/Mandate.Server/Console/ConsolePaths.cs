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
}
