using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Mandate.Cedar.Values;

/// <summary>
/// Cedar's <c>datetime</c>: milliseconds since the Unix epoch. Accepted forms: <c>YYYY-MM-DD</c>,
/// <c>YYYY-MM-DDThh:mm:ssZ</c>, <c>YYYY-MM-DDThh:mm:ss.SSSZ</c>, and both with <c>(+|-)hhmm</c> instead of <c>Z</c>.
/// </summary>
internal sealed class DatetimeValue(long epochMilliseconds) : CedarValue
{
    public const long DayInMilliseconds = 86_400_000;

    public long EpochMilliseconds { get; } = epochMilliseconds;

    public override CedarValueKind Kind => CedarValueKind.Datetime;

    public static bool TryParse(string text, out DatetimeValue value, out string error)
    {
        value = null!;
        if (!(text.Length >= 10 && Digits(text, 0, 4) && text[4] == '-' && Digits(text, 5, 2) && text[7] == '-' && Digits(text, 8, 2)))
        {
            error = $"invalid date pattern in `{text}`: a datetime starts with YYYY-MM-DD";
            return false;
        }

        var year = Number(text, 0, 4);
        var month = Number(text, 5, 2);
        var day = Number(text, 8, 2);
        if (month is < 1 or > 12 || day < 1 || day > DaysInMonth(year, month))
        {
            error = $"invalid date: {text[..10]}";
            return false;
        }

        long epoch = DaysFromCivil(year, month, day) * DayInMilliseconds;
        if (text.Length == 10)
        {
            value = new DatetimeValue(epoch);
            error = "";
            return true;
        }

        if (!(text.Length >= 19 && text[10] == 'T' && Digits(text, 11, 2) && text[13] == ':' && Digits(text, 14, 2) && text[16] == ':' && Digits(text, 17, 2)))
        {
            error = $"invalid hour/minute/second pattern in `{text}`: a datetime has THH:MM:SS after the date";
            return false;
        }

        var rest = text[19..];
        var milliseconds = 0;
        if (rest.StartsWith('.'))
        {
            if (!Digits(rest, 1, 3))
            {
                error = MillisecondOffsetError(text);
                return false;
            }

            milliseconds = Number(rest, 1, 3);
            rest = rest[4..];
        }

        long offsetSeconds = 0;
        if (rest == "Z")
        {
        }
        else if (rest.Length == 5 && (rest[0] == '+' || rest[0] == '-') && Digits(rest, 1, 4))
        {
            var offsetHours = Number(rest, 1, 2);
            var offsetMinutes = Number(rest, 3, 2);
            if (offsetHours >= 24 || offsetMinutes >= 60)
            {
                error = $"invalid offset range: {offsetHours}{offsetMinutes} (hours must be in [0,24) and minutes in [0,60))";
                return false;
            }

            offsetSeconds = (offsetHours * 3600) + (offsetMinutes * 60);
            if (rest[0] == '-')
            {
                offsetSeconds = -offsetSeconds;
            }
        }
        else
        {
            error = MillisecondOffsetError(text);
            return false;
        }

        var hour = Number(text, 11, 2);
        var minute = Number(text, 14, 2);
        var second = Number(text, 17, 2);
        if (hour >= 24 || minute >= 60 || second >= 60)
        {
            error = $"invalid hour/minute/second: {text[11..19]}";
            return false;
        }

        epoch += (hour * 3_600_000L) + (minute * 60_000L) + (second * 1000L) + milliseconds - (offsetSeconds * 1000);
        value = new DatetimeValue(epoch);
        error = "";
        return true;
    }

    public DatetimeValue? Offset(DurationValue duration)
    {
        var sum = EpochMilliseconds + duration.Milliseconds;
        return ((EpochMilliseconds ^ sum) & (duration.Milliseconds ^ sum)) < 0 ? null : new DatetimeValue(sum);
    }

    public DurationValue? DurationSince(DatetimeValue other)
    {
        var difference = EpochMilliseconds - other.EpochMilliseconds;
        return ((EpochMilliseconds ^ other.EpochMilliseconds) & (EpochMilliseconds ^ difference)) < 0 ? null : new DurationValue(difference);
    }

    public DatetimeValue? ToDate()
    {
        var remainder = ((EpochMilliseconds % DayInMilliseconds) + DayInMilliseconds) % DayInMilliseconds;
        return EpochMilliseconds < long.MinValue + remainder ? null : new DatetimeValue(EpochMilliseconds - remainder);
    }

    public DurationValue ToTime()
    {
        var remainder = EpochMilliseconds % DayInMilliseconds;
        return new DurationValue(remainder < 0 ? remainder + DayInMilliseconds : remainder);
    }

    public override bool Equals(CedarValue? other) => other is DatetimeValue d && d.EpochMilliseconds == EpochMilliseconds;

    public override int GetHashCode() => EpochMilliseconds.GetHashCode();

    /// <summary>The ISO form when the year is representable (0000–9999), otherwise null.</summary>
    public string? IsoText()
    {
        var days = Math.DivRem(EpochMilliseconds, DayInMilliseconds, out var millisOfDay);
        if (millisOfDay < 0)
        {
            millisOfDay += DayInMilliseconds;
            days--;
        }

        var (year, month, day) = CivilFromDays(days);
        if (year is < 0 or > 9999)
        {
            return null;
        }

        var hour = millisOfDay / 3_600_000;
        var minute = millisOfDay / 60_000 % 60;
        var second = millisOfDay / 1000 % 60;
        var millisecond = millisOfDay % 1000;
        return string.Create(CultureInfo.InvariantCulture, $"{year:D4}-{month:D2}-{day:D2}T{hour:D2}:{minute:D2}:{second:D2}.{millisecond:D3}Z");
    }

    internal override void WriteJson(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteStartObject("__extn");
        var iso = IsoText();
        if (iso is not null)
        {
            writer.WriteString("fn", "datetime");
            writer.WriteString("arg", iso);
        }
        else
        {
            writer.WriteString("fn", "offset");
            writer.WriteStartArray("args");
            new DatetimeValue(0).WriteJson(writer);
            new DurationValue(EpochMilliseconds).WriteJson(writer);
            writer.WriteEndArray();
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    internal override void AppendCedar(StringBuilder builder)
    {
        var iso = IsoText();
        if (iso is not null)
        {
            builder.Append("datetime(\"").Append(iso).Append("\")");
        }
        else
        {
            builder.Append("datetime(\"1970-01-01\").offset(duration(\"")
                .Append(EpochMilliseconds.ToString(CultureInfo.InvariantCulture)).Append("ms\"))");
        }
    }

    private static string MillisecondOffsetError(string text) =>
        $"invalid millisecond and/or offset pattern in `{text}`: a datetime ends with Z, .SSSZ, (+|-)hhmm or .SSS(+|-)hhmm";

    private static bool Digits(string text, int start, int count)
    {
        if (start + count > text.Length)
        {
            return false;
        }

        for (var i = start; i < start + count; i++)
        {
            if (!char.IsAsciiDigit(text[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static int Number(string text, int start, int count) =>
        int.Parse(text.AsSpan(start, count), NumberStyles.None, CultureInfo.InvariantCulture);

    private static int DaysInMonth(int year, int month) => month switch
    {
        2 => (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28,
        4 or 6 or 9 or 11 => 30,
        _ => 31,
    };

    // Howard Hinnant's days-from-civil for the proleptic Gregorian calendar (year 0 included).
    private static long DaysFromCivil(long year, long month, long day)
    {
        year -= month <= 2 ? 1 : 0;
        var era = (year >= 0 ? year : year - 399) / 400;
        var yearOfEra = year - (era * 400);
        var dayOfYear = ((153 * (month + (month > 2 ? -3 : 9))) + 2) / 5 + day - 1;
        var dayOfEra = (yearOfEra * 365) + (yearOfEra / 4) - (yearOfEra / 100) + dayOfYear;
        return (era * 146097) + dayOfEra - 719468;
    }

    private static (long Year, long Month, long Day) CivilFromDays(long days)
    {
        days += 719468;
        var era = (days >= 0 ? days : days - 146096) / 146097;
        var dayOfEra = days - (era * 146097);
        var yearOfEra = (dayOfEra - (dayOfEra / 1460) + (dayOfEra / 36524) - (dayOfEra / 146096)) / 365;
        var year = yearOfEra + (era * 400);
        var dayOfYear = dayOfEra - ((365 * yearOfEra) + (yearOfEra / 4) - (yearOfEra / 100));
        var mp = ((5 * dayOfYear) + 2) / 153;
        var day = dayOfYear - (((153 * mp) + 2) / 5) + 1;
        var month = mp + (mp < 10 ? 3 : -9);
        return (year + (month <= 2 ? 1 : 0), month, day);
    }
}
