using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Mandate.Cedar.Values;

/// <summary>
/// Cedar's <c>ipaddr</c>: an IPv4 or IPv6 address with a prefix length (32/128 for a single address). Parsing follows
/// Cedar 4.x: no leading zeros in IPv4 octets or prefixes, no IPv4 embedded in IPv6, no zone ids, at most 43 characters.
/// </summary>
internal sealed class IpValue : CedarValue
{
    private const int MaxTextLength = 43;

    private IpValue(bool isV4, UInt128 address, int prefix)
    {
        IsV4 = isV4;
        Address = address;
        Prefix = prefix;
    }

    public bool IsV4 { get; }

    public UInt128 Address { get; }

    public int Prefix { get; }

    public override CedarValueKind Kind => CedarValueKind.IpAddr;

    private int Width => IsV4 ? 32 : 128;

    public bool IsLoopback => IsV4 ? (Address >> 24) == 127 && Prefix >= 8 : Address == 1 && Prefix >= 128;

    public bool IsMulticast => IsV4 ? (Address >> 28) == 0xE && Prefix >= 4 : (Address >> 120) == 0xFF && Prefix >= 8;

    /// <summary>True when this range lies within <paramref name="other"/> (same family only).</summary>
    public bool IsInRange(IpValue other)
    {
        if (IsV4 != other.IsV4)
        {
            return false;
        }

        var (network, broadcast) = Bounds();
        var (otherNetwork, otherBroadcast) = other.Bounds();
        return otherNetwork <= network && broadcast <= otherBroadcast;
    }

    public static bool TryParse(string text, out IpValue value, out string error)
    {
        value = null!;
        if (Encoding.UTF8.GetByteCount(text) > MaxTextLength)
        {
            error = $"error parsing IP address from string `{text}`: string length is too large";
            return false;
        }

        if (CountAtLeastTwo(text, ':') && CountAtLeastTwo(text, '.'))
        {
            error = $"error parsing IP address from string: IPv4 embedded in IPv6 (e.g., ::ffff:127.0.0.1) is not accepted. Found: `{text}`";
            return false;
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var addressText = slash < 0 ? text : text[..slash];
        bool isV4;
        UInt128 address;
        if (TryParseV4(addressText, out var v4))
        {
            isV4 = true;
            address = v4;
        }
        else if (TryParseV6(addressText, out var v6))
        {
            isV4 = false;
            address = v6;
        }
        else
        {
            error = slash < 0 ? $"invalid IP address: {text}" : $"error parsing IP address from the string `{addressText}`";
            return false;
        }

        var prefix = isV4 ? 32 : 128;
        if (slash >= 0 && !TryParsePrefix(text[(slash + 1)..], isV4 ? 32 : 128, isV4 ? 2 : 3, out prefix, out error))
        {
            return false;
        }

        value = new IpValue(isV4, address, prefix);
        error = "";
        return true;
    }

    public override bool Equals(CedarValue? other) =>
        other is IpValue ip && ip.IsV4 == IsV4 && ip.Address == Address && ip.Prefix == Prefix;

    public override int GetHashCode() => HashCode.Combine(IsV4, Address, Prefix);

    internal override void WriteJson(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteStartObject("__extn");
        writer.WriteString("fn", "ip");
        writer.WriteString("arg", Text());
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    internal override void AppendCedar(StringBuilder builder) => builder.Append("ip(\"").Append(Text()).Append("\")");

    public string Text()
    {
        var builder = new StringBuilder();
        if (IsV4)
        {
            var a = (uint)Address;
            builder.Append(CultureInfo.InvariantCulture, $"{a >> 24}.{(a >> 16) & 0xFF}.{(a >> 8) & 0xFF}.{a & 0xFF}");
        }
        else
        {
            AppendV6(builder, Address);
        }

        return builder.Append('/').Append(Prefix.ToString(CultureInfo.InvariantCulture)).ToString();
    }

    private (UInt128 Network, UInt128 Broadcast) Bounds()
    {
        var all = IsV4 ? (UInt128)uint.MaxValue : UInt128.MaxValue;
        var hostBits = Width - Prefix;
        var hostMask = hostBits >= 128 ? UInt128.MaxValue : ((UInt128)1 << hostBits) - 1;
        hostMask &= all;
        var netMask = all & ~hostMask;
        return (Address & netMask, Address | hostMask);
    }

    private static bool CountAtLeastTwo(string text, char c)
    {
        var first = text.IndexOf(c, StringComparison.Ordinal);
        return first >= 0 && text.IndexOf(c, first + 1) >= 0;
    }

    private static bool TryParsePrefix(string text, int max, int maxLength, out int prefix, out string error)
    {
        prefix = 0;
        if (text.Length > maxLength)
        {
            error = $"error parsing prefix: string length {text.Length} is too large";
            return false;
        }

        if (text.Length == 0 || !text.All(char.IsAsciiDigit))
        {
            error = $"error parsing prefix `{text}`: expected digits";
            return false;
        }

        if (text.Length > 1 && text[0] == '0')
        {
            error = $"error parsing prefix `{text}`: leading zero(s)";
            return false;
        }

        prefix = int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
        if (prefix > max)
        {
            error = $"error parsing prefix: {prefix} is larger than the limit {max}";
            return false;
        }

        error = "";
        return true;
    }

    private static bool TryParseV4(string text, out UInt128 address)
    {
        address = 0;
        var parts = text.Split('.');
        if (parts.Length != 4)
        {
            return false;
        }

        uint result = 0;
        foreach (var part in parts)
        {
            if (part.Length is 0 or > 3 || !part.All(char.IsAsciiDigit) || (part.Length > 1 && part[0] == '0'))
            {
                return false;
            }

            var octet = int.Parse(part, NumberStyles.None, CultureInfo.InvariantCulture);
            if (octet > 255)
            {
                return false;
            }

            result = (result << 8) | (uint)octet;
        }

        address = result;
        return true;
    }

    private static bool TryParseV6(string text, out UInt128 address)
    {
        address = 0;
        var doubleColon = text.IndexOf("::", StringComparison.Ordinal);
        List<ushort> head;
        List<ushort> tail = [];
        if (doubleColon < 0)
        {
            if (!TryParseGroups(text, out head) || head.Count != 8)
            {
                return false;
            }
        }
        else
        {
            var headText = text[..doubleColon];
            var tailText = text[(doubleColon + 2)..];
            if (!TryParseGroups(headText, out head) || !TryParseGroups(tailText, out tail) || head.Count + tail.Count > 7)
            {
                return false;
            }
        }

        var groups = new ushort[8];
        for (var i = 0; i < head.Count; i++)
        {
            groups[i] = head[i];
        }

        for (var i = 0; i < tail.Count; i++)
        {
            groups[8 - tail.Count + i] = tail[i];
        }

        UInt128 result = 0;
        foreach (var group in groups)
        {
            result = (result << 16) | group;
        }

        address = result;
        return true;
    }

    private static bool TryParseGroups(string text, out List<ushort> groups)
    {
        groups = [];
        if (text.Length == 0)
        {
            return true;
        }

        foreach (var part in text.Split(':'))
        {
            if (part.Length is 0 or > 4 || !part.All(char.IsAsciiHexDigit))
            {
                return false;
            }

            groups.Add(ushort.Parse(part, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));
        }

        return true;
    }

    private static void AppendV6(StringBuilder builder, UInt128 address)
    {
        var groups = new ushort[8];
        for (var i = 7; i >= 0; i--)
        {
            groups[i] = (ushort)(address & 0xFFFF);
            address >>= 16;
        }

        // Compress the longest run of two or more zero groups, as RFC 5952 recommends.
        int bestStart = -1, bestLength = 0;
        for (var i = 0; i < 8;)
        {
            if (groups[i] != 0)
            {
                i++;
                continue;
            }

            var start = i;
            while (i < 8 && groups[i] == 0)
            {
                i++;
            }

            if (i - start > bestLength)
            {
                (bestStart, bestLength) = (start, i - start);
            }
        }

        if (bestLength < 2)
        {
            bestStart = -1;
        }

        for (var i = 0; i < 8; i++)
        {
            if (i == bestStart)
            {
                builder.Append("::");
                i += bestLength - 1;
                continue;
            }

            if (i > 0 && i != bestStart + bestLength)
            {
                builder.Append(':');
            }

            builder.Append(groups[i].ToString("x", CultureInfo.InvariantCulture));
        }
    }
}
