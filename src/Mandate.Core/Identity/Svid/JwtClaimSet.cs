using System.Text.Json;

namespace Mandate.Core.Identity.Svid;

/// <summary>
/// The registered claims of a JWT payload, read strictly: each at most once, with the RFC 7519 types (<c>aud</c> a
/// string or an array of strings, times as NumericDate). Other claims are skipped.
/// </summary>
internal sealed class JwtClaimSet
{
    public string? Subject { get; private set; }

    public string? Issuer { get; private set; }

    public IReadOnlyList<string> Audiences { get; private set; } = [];

    public bool HasAudience { get; private set; }

    public DateTimeOffset? ExpiresAt { get; private set; }

    public DateTimeOffset? NotBefore { get; private set; }

    public DateTimeOffset? IssuedAt { get; private set; }

    public string? Jti { get; private set; }

    public static bool TryRead(ReadOnlySpan<byte> payload, out JwtClaimSet? claims, out string? problem)
    {
        claims = null;
        problem = null;
        var set = new JwtClaimSet();
        var seen = 0;
        try
        {
            var reader = new Utf8JsonReader(payload, new JsonReaderOptions { MaxDepth = 32 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                problem = "the payload is not a JSON object";
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var bit = reader.ValueTextEquals("sub"u8) ? 1
                    : reader.ValueTextEquals("iss"u8) ? 2
                    : reader.ValueTextEquals("aud"u8) ? 4
                    : reader.ValueTextEquals("exp"u8) ? 8
                    : reader.ValueTextEquals("nbf"u8) ? 16
                    : reader.ValueTextEquals("iat"u8) ? 32
                    : reader.ValueTextEquals("jti"u8) ? 64
                    : 0;
                if (bit != 0 && (seen & bit) != 0)
                {
                    problem = "a registered claim appears twice";
                    return false;
                }

                seen |= bit;
                reader.Read();
                switch (bit)
                {
                    case 1:
                        set.Subject = ReadString(ref reader, "sub");
                        break;
                    case 2:
                        set.Issuer = ReadString(ref reader, "iss");
                        break;
                    case 4:
                        set.Audiences = ReadAudiences(ref reader);
                        set.HasAudience = true;
                        break;
                    case 8:
                        set.ExpiresAt = ReadTime(ref reader, "exp");
                        break;
                    case 16:
                        set.NotBefore = ReadTime(ref reader, "nbf");
                        break;
                    case 32:
                        set.IssuedAt = ReadTime(ref reader, "iat");
                        break;
                    case 64:
                        set.Jti = ReadString(ref reader, "jti");
                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                problem = "trailing data after the payload object";
                return false;
            }
        }
        catch (JsonException)
        {
            problem = "the payload is not valid JSON";
            return false;
        }
        catch (ClaimFormatException ex)
        {
            problem = ex.Message;
            return false;
        }

        claims = set;
        return true;
    }

    private static string ReadString(ref Utf8JsonReader reader, string name) =>
        reader.TokenType == JsonTokenType.String ? reader.GetString()! : throw new ClaimFormatException($"{name} must be a string");

    private static string[] ReadAudiences(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return [reader.GetString()!];
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new ClaimFormatException("aud must be a string or an array of strings");
        }

        var list = new List<string>(1);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.String || list.Count >= 64)
            {
                throw new ClaimFormatException("aud must be a string or an array of at most 64 strings");
            }

            list.Add(reader.GetString()!);
        }

        return [.. list];
    }

    private static DateTimeOffset ReadTime(ref Utf8JsonReader reader, string name)
    {
        if (reader.TokenType != JsonTokenType.Number)
        {
            throw new ClaimFormatException($"{name} must be a number of seconds");
        }

        long seconds;
        if (!reader.TryGetInt64(out seconds))
        {
            if (!reader.TryGetDouble(out var fractional) || double.IsNaN(fractional))
            {
                throw new ClaimFormatException($"{name} is not a valid time");
            }

            seconds = (long)Math.Floor(fractional);
        }

        // DateTimeOffset covers years 1..9999; anything outside is not a real time.
        if (seconds < -62_135_596_800L || seconds > 253_402_300_799L)
        {
            throw new ClaimFormatException($"{name} is out of range");
        }

        return DateTimeOffset.FromUnixTimeSeconds(seconds);
    }

    private sealed class ClaimFormatException(string message) : Exception(message);
}
