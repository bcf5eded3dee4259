namespace Mandate.Server.Console;

/// <summary>Where the console lives; its middleware runs only under <see cref="Root"/>, never on the decision path.</summary>
internal static class ConsolePaths
{
    public const string Root = "/console";

    public static bool IsConsole(HttpContext context) => context.Request.Path.StartsWithSegments(Root, StringComparison.OrdinalIgnoreCase);

    /// <summary>The identity page of <paramref name="spiffeId"/>.</summary>
    public static string Identity(string spiffeId) => Root + "/identity?id=" + Uri.EscapeDataString(spiffeId);
}
