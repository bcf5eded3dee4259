namespace Mandate.Server.Console;

/// <summary>The web console's settings (<c>Mandate:Console</c>).</summary>
internal sealed class ConsoleOptions
{
    public const string SectionName = "Mandate:Console";

    /// <summary>Serve the console at <c>/console</c> (on by default; off maps nothing).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How long a console sign-in lasts before the person signs in again (default 8 hours, at most 7 days).</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(8);
}
