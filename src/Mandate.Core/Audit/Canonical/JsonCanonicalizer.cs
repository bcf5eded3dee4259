using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Mandate.Core.Audit.Canonical;

/// <summary>
/// RFC 8785 JSON Canonicalization Scheme (JCS): object members sorted by their names' UTF-16 code units, no
/// insignificant white space, numbers as ECMAScript's <c>Number.prototype.toString</c> prints them, strings with the
/// minimal escaping of ECMAScript's <c>JSON.stringify</c>. The same value always gives the same bytes, which is what
/// makes an audit event hashable after it was parsed and re-serialized elsewhere (an export, a SIEM).
/// </summary>
internal static class JsonCanonicalizer
{
    /// <summary>The canonical UTF-8 bytes of a JSON text. Throws <see cref="JsonCanonicalizationException"/> for what I-JSON forbids.</summary>
    public static byte[] Canonicalize(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        using var document = ParseStrict(Encoding.UTF8.GetBytes(json));
        return Canonicalize(document.RootElement);
    }

    public static byte[] Canonicalize(ReadOnlySpan<byte> utf8Json)
    {
        using var document = ParseStrict(utf8Json.ToArray());
        return Canonicalize(document.RootElement);
    }

    public static byte[] Canonicalize(JsonElement element)
    {
        var buffer = new ArrayBufferWriter<byte>();
        Write(element, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    public static string CanonicalizeToString(JsonElement element) => Encoding.UTF8.GetString(Canonicalize(element));

    public static void Write(JsonElement element, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                WriteObject(element, output);
                break;
            case JsonValueKind.Array:
                Append(output, "["u8);
                var first = true;
                foreach (var item in element.EnumerateArray())
                {
                    if (!first)
                    {
                        Append(output, ","u8);
                    }

                    first = false;
                    Write(item, output);
                }

                Append(output, "]"u8);
                break;
            case JsonValueKind.String:
                WriteString(ReadString(element), output);
                break;
            case JsonValueKind.Number:
                if (!element.TryGetDouble(out var number) || double.IsInfinity(number))
                {
                    throw new JsonCanonicalizationException($"The number {element.GetRawText()} is outside the IEEE 754 double range that I-JSON allows.");
                }

                Append(output, Encoding.UTF8.GetBytes(FormatNumber(number)));
                break;
            case JsonValueKind.True:
                Append(output, "true"u8);
                break;
            case JsonValueKind.False:
                Append(output, "false"u8);
                break;
            case JsonValueKind.Null:
                Append(output, "null"u8);
                break;
            default:
                throw new JsonCanonicalizationException($"A JSON value of kind {element.ValueKind} cannot be canonicalized.");
        }
    }

    /// <summary>ECMAScript <c>Number.prototype.toString</c> of a double (ECMA-262 Number::toString, radix 10).</summary>
    public static string FormatNumber(double value)
    {
        if (double.IsNaN(value) || double.IsInfinity(value))
        {
            throw new JsonCanonicalizationException("NaN and Infinity are not JSON numbers.");
        }

        if (value == 0)
        {
            return "0"; // Both +0 and -0.
        }

        // .NET's "R" gives the shortest digit string that round-trips, as ECMAScript requires; only the layout differs.
        var shortest = value.ToString("R", CultureInfo.InvariantCulture);
        var negative = shortest.StartsWith('-');
        if (negative)
        {
            shortest = shortest[1..];
        }

        // Split the shortest form into its significant digits and the decimal exponent n (value = 0.digits × 10^n).
        string mantissa;
        var exponent = 0;
        var e = shortest.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            mantissa = shortest[..e];
            exponent = int.Parse(shortest[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        }
        else
        {
            mantissa = shortest;
        }

        var dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        var integerPart = dot >= 0 ? mantissa[..dot] : mantissa;
        var fractionPart = dot >= 0 ? mantissa[(dot + 1)..] : string.Empty;
        var digits = (integerPart + fractionPart).TrimStart('0');
        var leadingZerosRemoved = (integerPart + fractionPart).Length - digits.Length;
        var n = integerPart.Length + exponent - leadingZerosRemoved;
        digits = digits.TrimEnd('0');
        var k = digits.Length;

        var result = new StringBuilder(32);
        if (negative)
        {
            result.Append('-');
        }

        if (k <= n && n <= 21)
        {
            result.Append(digits).Append('0', n - k);
        }
        else if (0 < n && n <= 21)
        {
            result.Append(digits, 0, n).Append('.').Append(digits, n, k - n);
        }
        else if (-6 < n && n <= 0)
        {
            result.Append("0.").Append('0', -n).Append(digits);
        }
        else
        {
            var exp = n - 1;
            result.Append(digits[0]);
            if (k > 1)
            {
                result.Append('.').Append(digits, 1, k - 1);
            }

            result.Append('e').Append(exp < 0 ? '-' : '+').Append(Math.Abs(exp).ToString(CultureInfo.InvariantCulture));
        }

        return result.ToString();
    }

    /// <summary>Writes a string with JSON.stringify's escaping: only '"', '\\' and control characters are escaped.</summary>
    public static void WriteString(string value, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(output);
        var text = value.AsSpan();
        var special = text.IndexOfAny(Special);
        if (special < 0)
        {
            // The common case (identifiers, hashes, ASCII text): copy the UTF-8 straight into the output.
            WriteQuoted(text, output);
            return;
        }

        // Runs of ordinary characters are copied as UTF-8; only the characters between them are escaped (no
        // intermediate string: Cedar UIDs such as Workload::"…" hold quotes, so this is a hot path of the ledger).
        WriteByte(output, (byte)'"');
        while (special >= 0)
        {
            WriteUtf8(text[..special], output);
            var c = text[special];
            var consumed = 1;
            switch (c)
            {
                case '"':
                    Append(output, "\\\""u8);
                    break;
                case '\\':
                    Append(output, "\\\\"u8);
                    break;
                case '\b':
                    Append(output, "\\b"u8);
                    break;
                case '\f':
                    Append(output, "\\f"u8);
                    break;
                case '\n':
                    Append(output, "\\n"u8);
                    break;
                case '\r':
                    Append(output, "\\r"u8);
                    break;
                case '\t':
                    Append(output, "\\t"u8);
                    break;
                default:
                    if (c < 0x20)
                    {
                        var span = output.GetSpan(6);
                        "\\u00"u8.CopyTo(span);
                        span[4] = HexDigit(c >> 4);
                        span[5] = HexDigit(c & 0xF);
                        output.Advance(6);
                    }
                    else if (char.IsHighSurrogate(c) && special + 1 < text.Length && char.IsLowSurrogate(text[special + 1]))
                    {
                        WriteUtf8(text.Slice(special, 2), output);
                        consumed = 2;
                    }
                    else
                    {
                        throw new JsonCanonicalizationException($"The string contains a lone surrogate (U+{(int)c:X4}), which I-JSON forbids.");
                    }

                    break;
            }

            text = text[(special + consumed)..];
            special = text.IndexOfAny(Special);
        }

        WriteUtf8(text, output);
        WriteByte(output, (byte)'"');
    }

    // Everything RFC 8785 escapes, and the surrogates (checked for pairing).
    private static readonly System.Buffers.SearchValues<char> Special = System.Buffers.SearchValues.Create(
        "\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000A\u000B\u000C\u000D\u000E\u000F"
        + "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F\"\\"
        + string.Concat(Enumerable.Range(0xD800, 0x800).Select(c => (char)c)));

    private static byte HexDigit(int value) => (byte)(value < 10 ? '0' + value : 'a' + value - 10);

    private static void WriteByte(IBufferWriter<byte> output, byte value)
    {
        output.GetSpan(1)[0] = value;
        output.Advance(1);
    }

    private static void WriteUtf8(ReadOnlySpan<char> text, IBufferWriter<byte> output)
    {
        if (text.IsEmpty)
        {
            return;
        }

        var span = output.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        output.Advance(Encoding.UTF8.GetBytes(text, span));
    }

    private static void WriteQuoted(ReadOnlySpan<char> text, IBufferWriter<byte> output)
    {
        var span = output.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length) + 2);
        span[0] = (byte)'"';
        var length = Encoding.UTF8.GetBytes(text, span[1..]);
        span[length + 1] = (byte)'"';
        output.Advance(length + 2);
    }

    /// <summary>Orders names by UTF-16 code units, as RFC 8785 §3.2.3 requires (string.CompareOrdinal does exactly that).</summary>
    public static int CompareNames(string left, string right) => string.CompareOrdinal(left, right);

    private static void WriteObject(JsonElement element, IBufferWriter<byte> output)
    {
        var members = new List<JsonProperty>();
        foreach (var property in element.EnumerateObject())
        {
            members.Add(property);
        }

        members.Sort((a, b) => CompareNames(a.Name, b.Name));
        for (var i = 1; i < members.Count; i++)
        {
            if (string.Equals(members[i].Name, members[i - 1].Name, StringComparison.Ordinal))
            {
                throw new JsonCanonicalizationException($"The object has the member '{members[i].Name}' twice, which I-JSON forbids.");
            }
        }

        Append(output, "{"u8);
        for (var i = 0; i < members.Count; i++)
        {
            if (i > 0)
            {
                Append(output, ","u8);
            }

            WriteString(members[i].Name, output);
            Append(output, ":"u8);
            Write(members[i].Value, output);
        }

        Append(output, "}"u8);
    }

    private static string ReadString(JsonElement element)
    {
        try
        {
            return element.GetString()!;
        }
        catch (InvalidOperationException ex)
        {
            throw new JsonCanonicalizationException("A string is not valid UTF-16 (a lone surrogate escape), which I-JSON forbids.", ex);
        }
    }

    private static JsonDocument ParseStrict(byte[] utf8)
    {
        try
        {
            return JsonDocument.Parse(utf8, new JsonDocumentOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 64 });
        }
        catch (JsonException ex)
        {
            throw new JsonCanonicalizationException($"Not valid JSON: {ex.Message}", ex);
        }
    }

    private static void Append(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        var span = output.GetSpan(bytes.Length);
        bytes.CopyTo(span);
        output.Advance(bytes.Length);
    }
}
