using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Mandate.Tests.Shared;

/// <summary>
/// A free loopback port for a server the caller starts itself (a private PostgreSQL), chosen as test.sh chooses one:
/// at random below the kernel's ephemeral range. A port inside that range can be taken, between the check and the
/// server's bind, by the local end of some outgoing connection; below it only another listener can take it, and the
/// caller retries with another port when its start fails. Compiled into the tests and the benchmarks.
/// </summary>
internal static class LoopbackPorts
{
    private const int Lowest = 10000;

    public static int BelowEphemeralRange()
    {
        var ceiling = EphemeralRangeStart();
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var port = Random.Shared.Next(Lowest, ceiling);
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // Taken; try another.
            }
        }

        throw new InvalidOperationException($"No free loopback port between {Lowest} and {ceiling - 1} after 100 tries.");
    }

    /// <summary>The first port of the kernel's ephemeral range (Linux's default 32768 where it cannot be read).</summary>
    private static int EphemeralRangeStart()
    {
        const int Default = 32768;
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            return range.Length > 0 && int.TryParse(range[0], NumberStyles.None, CultureInfo.InvariantCulture, out var low) && low > Lowest + 2000 ? low : Default;
        }
        catch (IOException)
        {
            return Default;
        }
        catch (UnauthorizedAccessException)
        {
            return Default;
        }
    }
}
