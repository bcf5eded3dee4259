using System.Net;
using System.Net.Sockets;

namespace Mandate.Server.Identity;

/// <summary>The network a client is counted under by rate limits: its IPv4 address, or its IPv6 prefix.</summary>
internal static class ClientNetwork
{
    public const string Unknown = "unknown";

    /// <summary>Whether the client is on this machine (an IPv4-mapped IPv6 address counts as its IPv4 form).</summary>
    public static bool IsLoopback(IPAddress? address) =>
        address is not null && IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);

    /// <summary>
    /// IPv4 (and IPv4-mapped IPv6) addresses as they are; IPv6 addresses cut to <paramref name="ipv6PrefixLength"/> bits
    /// and written as a prefix (<c>2001:db8:1:2::/64</c>); no address (a Unix socket, an in-memory test host) as
    /// <see cref="Unknown"/>, one shared budget.
    /// </summary>
    public static string Of(IPAddress? address, int ipv6PrefixLength)
    {
        if (address is null)
        {
            return Unknown;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6 || ipv6PrefixLength >= 128)
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        for (var bit = Math.Max(ipv6PrefixLength, 0); bit < 128; bit++)
        {
            bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        }

        return new IPAddress(bytes).ToString() + "/" + ipv6PrefixLength.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
