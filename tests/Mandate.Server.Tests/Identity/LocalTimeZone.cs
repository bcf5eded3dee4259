namespace Mandate.Server.Tests.Identity;

/// <summary>
/// Runs code under another local time zone (TZ, re-read after clearing the cache). The zone is process-wide, so tests
/// using it belong to <see cref="LocalTimeZoneCollection"/>, which runs alone.
/// </summary>
internal sealed class LocalTimeZone : IDisposable
{
    private readonly string? previous;

    private LocalTimeZone(string zone)
    {
        previous = Environment.GetEnvironmentVariable("TZ");
        Environment.SetEnvironmentVariable("TZ", zone);
        TimeZoneInfo.ClearCachedData();
    }

    public static LocalTimeZone Set(string zone)
    {
        var scope = new LocalTimeZone(zone);
        Assert.Equal(zone, TimeZoneInfo.Local.Id);
        return scope;
    }

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("TZ", previous);
        TimeZoneInfo.ClearCachedData();
    }
}

/// <summary>Tests that change the process's local time zone: never in parallel with anything else.</summary>
[CollectionDefinition(nameof(LocalTimeZoneCollection), DisableParallelization = true)]
public sealed class LocalTimeZoneCollection;
