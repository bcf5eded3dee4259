using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Mandate.Cedar.Values;

/// <summary>Cedar's <c>duration</c>: a signed number of milliseconds, written like <c>1d2h3m4s5ms</c>.</summary>
internal sealed class DurationValue(long milliseconds) : CedarValue
{
    public long Milliseconds { get; } = milliseconds;

    public override CedarValueKind Kind => CedarValueKind.Duration;

    public static bool TryParse(string text, out DurationValue value, out string error)
    {
        value = null!;
        error = $"invalid duration pattern `{text}`: a duration is quantity-unit pairs (d, h, m, s, ms in that order) with an optional leading `-`, like `1d2h3m4s50ms`";
        if (text.Length == 0 || text == "-")
        {
            return false;
        }

        var negative = text[0] == '-';
        var position = negative ? 1 : 0;
        string[] units = ["d", "h", "m", "s", "ms"];
        long[] factors = [86_400_000, 3_600_000, 60_000, 1000, 1];
        var amounts = new ulong?[5];
        var nextUnit = 0;
        while (position < text.Length)
        {
            var start = position;
            while (position < text.Length && char.IsAsciiDigit(text[position]))
            {
                position++;
            }

            if (position == start || position == text.Length)
            {
                return false;
            }

            var digits = text[start..position];
            string unit;
            if (text[position] == 'm' && position + 1 < text.Length && text[position + 1] == 's')
            {
                unit = "ms";
            }
            else
            {
                unit = text[position].ToString();
            }

            var index = Array.IndexOf(units, unit);
            if (index < nextUnit)
            {
                return false;
            }

            position += unit.Length;
            nextUnit = index + 1;
            if (!ulong.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var amount))
            {
                error = "Duration overflows internal representation: a duration in milliseconds must fit a signed 64-bit integer";
                return false;
            }

            amounts[index] = amount;
        }

        // Same order of accumulation as the reference: milliseconds first, then seconds, minutes, hours, days.
        try
        {
            long total = 0;
            for (var i = 4; i >= 0; i--)
            {
                var amount = amounts[i] ?? 0;
                if (i == 4)
                {
                    // The reference negates the millisecond count in 128 bits, so "-9223372036854775808ms" is valid.
                    total = checked((long)(negative ? -(Int128)amount : (Int128)amount));
                    continue;
                }

                if (amount > long.MaxValue)
                {
                    throw new OverflowException();
                }

                var part = checked((long)amount * factors[i]);
                total = negative ? checked(total - part) : checked(total + part);
            }

            value = new DurationValue(total);
            error = "";
            return true;
        }
        catch (OverflowException)
        {
            error = "Duration overflows internal representation: a duration in milliseconds must fit a signed 64-bit integer";
            return false;
        }
    }

    public override bool Equals(CedarValue? other) => other is DurationValue d && d.Milliseconds == Milliseconds;

    public override int GetHashCode() => Milliseconds.GetHashCode();

    public string Text() => Milliseconds.ToString(CultureInfo.InvariantCulture) + "ms";

    internal override void WriteJson(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteStartObject("__extn");
        writer.WriteString("fn", "duration");
        writer.WriteString("arg", Text());
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    internal override void AppendCedar(StringBuilder builder) => builder.Append("duration(\"").Append(Text()).Append("\")");
}
