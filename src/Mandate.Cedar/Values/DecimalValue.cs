using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Mandate.Cedar.Values;

/// <summary>Cedar's <c>decimal</c>: a signed fixed-point number with four fractional digits, held as a scaled 64-bit integer.</summary>
internal sealed class DecimalValue(long scaled) : CedarValue
{
    private const long Scale = 10_000;

    public long Scaled { get; } = scaled;

    public override CedarValueKind Kind => CedarValueKind.Decimal;

    public static bool TryParse(string text, out DecimalValue value, out string error)
    {
        value = null!;
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        var integral = dot < 0 ? "" : text[..dot];
        var fraction = dot < 0 ? "" : text[(dot + 1)..];
        var negative = integral.StartsWith('-');
        var integralDigits = negative ? integral[1..] : integral;
        if (dot < 0 || integralDigits.Length == 0 || fraction.Length == 0
            || !integralDigits.All(char.IsAsciiDigit) || !fraction.All(char.IsAsciiDigit))
        {
            error = $"`{text}` is not a well-formed decimal value (digits are required on both sides of `.`, up to 4 fractional digits)";
            return false;
        }

        if (fraction.Length > 4)
        {
            error = $"too many digits after the decimal in `{text}`: at most 4 digits are supported";
            return false;
        }

        if (!long.TryParse(integral, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole))
        {
            error = "overflow when converting to decimal";
            return false;
        }

        var fractional = long.Parse(fraction, NumberStyles.None, CultureInfo.InvariantCulture);
        for (var i = fraction.Length; i < 4; i++)
        {
            fractional *= 10;
        }

        try
        {
            var scaledWhole = checked(whole * Scale);
            value = new DecimalValue(negative ? checked(scaledWhole - fractional) : checked(scaledWhole + fractional));
        }
        catch (OverflowException)
        {
            error = "overflow when converting to decimal: the value must be in range -922337203685477.5808 to 922337203685477.5807";
            return false;
        }

        error = "";
        return true;
    }

    public override bool Equals(CedarValue? other) => other is DecimalValue d && d.Scaled == Scaled;

    public override int GetHashCode() => Scaled.GetHashCode();

    public string Text()
    {
        var magnitude = Int128.Abs(Scaled);
        return (Scaled < 0 ? "-" : "") + (magnitude / Scale).ToString(CultureInfo.InvariantCulture) + "."
            + ((int)(magnitude % Scale)).ToString("D4", CultureInfo.InvariantCulture);
    }

    internal override void WriteJson(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteStartObject("__extn");
        writer.WriteString("fn", "decimal");
        writer.WriteString("arg", Text());
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    internal override void AppendCedar(StringBuilder builder) => builder.Append("decimal(\"").Append(Text()).Append("\")");
}
