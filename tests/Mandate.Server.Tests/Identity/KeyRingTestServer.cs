using Mandate.Server.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Server.Tests.Identity;

/// <summary>Servers for key-ring tests: a test clock, identity settings, and optionally a state directory to restart on.</summary>
internal static class KeyRingTestServer
{
    /// <summary>
    /// Rotation compressed into a test: hourly keys published a minute ahead, tokens living at most 30 minutes (so a
    /// retired key leaves the JWKS 30.5 minutes after its successor starts signing), JWT-SVIDs at most 10.
    /// </summary>
    public static Dictionary<string, string?> FastRotation(string? algorithm = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Mandate:Identity:KeyRotationInterval"] = "01:00:00",
            ["Mandate:Identity:KeyPrepublication"] = "00:01:00",
            ["Mandate:Identity:MaxTokenLifetime"] = "00:30:00",
            ["Mandate:Identity:JwtSvidMaxTtl"] = "00:10:00",
            ["Mandate:Identity:ClockSkew"] = "00:00:30",
        };
        if (algorithm is not null)
        {
            settings["Mandate:Identity:SigningAlgorithm"] = algorithm;
        }

        return settings;
    }

    public static Task<MandateTestServer> StartAsync(TimeProvider clock, IDictionary<string, string?> settings, string? state = null) =>
        MandateTestServer.StartAsync(
            o =>
            {
                if (state is not null)
                {
                    o.StateDirectory = state;
                }
            },
            b =>
            {
                b.Services.AddSingleton(clock);
                b.Configuration.AddInMemoryCollection(settings);
            });
}
