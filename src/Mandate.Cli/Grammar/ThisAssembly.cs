using System.Reflection;

namespace Mandate.Cli.Grammar;

internal static class ThisAssembly
{
    /// <summary>The CLI's version without build metadata (for the User-Agent).</summary>
    public static string Version { get; } =
        (typeof(ThisAssembly).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0").Split('+')[0];
}
