using System.Buffers;
using System.Buffers.Text;
using System.Text;
using System.Text.Json;

namespace Mandate.Core.Identity.Svid;

/// <summary>
/// A JWS in compact serialization, split and decoded strictly: exactly three base64url parts, UTF-8 header and payload, a JSON object header
/// with a string <c>alg</c>, no duplicate <c>alg</c>/<c>kid</c>/<c>typ</c>, no <c>crit</c> (nothing here understands
/// extensions), and nothing decoded beyond <see cref="MaxTokenLength"/>. Nothing is trusted until
/// <see cref="Keys.VerificationKey.Verify"/> says so.
/// </summary>
internal sealed class CompactJws
{
    /// <summary>Tokens longer than this are refused before any decoding (16 KiB).</summary>
    public const int MaxTokenLength = 16 * 1024;

    private CompactJws(string algorithm, string? kid, string? type, byte[] signingInput, byte[] payload, byte[] signature)
    {
        Algorithm = algorithm;
        Kid = kid;
        Type = type;
        SigningInput = signingInput;
        Payload = payload;
        Signature = signature;
    }

    public string Algorithm { get; }

    public string? Kid { get; }

    public string? Type { get; }

    public byte[] SigningInput { get; }

    public byte[] Payload { get; }

    public byte[] Signature { get; }

    public static bool TryParse(string? token, out CompactJws? jws, out IdentityError? error)
    {
        jws = null;
        if (string.IsNullOrEmpty(token))
        {
            error = new IdentityError(IdentityErrorCodes.TokenMalformed, "The token is empty.");
            return false;
        }

        if (token.Length > MaxTokenLength)
        {
            error = new IdentityError(IdentityErrorCodes.TokenTooLarge, $"The token is longer than {MaxTokenLength} bytes.");
            return false;
        }

        var first = token.IndexOf('.', StringComparison.Ordinal);
        var second = first < 0 ? -1 : token.IndexOf('.', first + 1);
        if (first <= 0 || second < 0 || second == first + 1 || token.IndexOf('.', second + 1) >= 0 || second == token.Length - 1)
        {
            error = new IdentityError(IdentityErrorCodes.TokenMalformed, "The token is not a JWS in compact serialization (three non-empty base64url parts separated by dots).");
            return false;
        }

        var span = token.AsSpan();
        if (!TryDecode(span[..first], out var header) || !TryDecode(span[(first + 1)..second], out var payload) || !TryDecode(span[(second + 1)..], out var signature))
        {
            error = new IdentityError(IdentityErrorCodes.TokenMalformed, "A part of the token is not base64url.");
            return false;
        }

        // RFC 7515 header and JWT claims are UTF-8 JSON. System.Text.Json checks a string's UTF-8 only when it is read,
        // by throwing, so a bad byte deep in a claim would surface wherever that claim is first used: refuse it here.
        if (!System.Text.Unicode.Utf8.IsValid(header) || !System.Text.Unicode.Utf8.IsValid(payload))
        {
            error = new IdentityError(IdentityErrorCodes.TokenMalformed, "The token's header or payload is not valid UTF-8.");
            return false;
        }

        if (!TryReadHeader(header, out var algorithm, out var kid, out var type, out var headerProblem))
        {
            error = new IdentityError(IdentityErrorCodes.TokenMalformed, "The token header is not valid: " + headerProblem + ".");
            return false;
        }

        var signingInput = Encoding.ASCII.GetBytes(token, 0, second);
        jws = new CompactJws(algorithm!, kid, type, signingInput, payload, signature);
        error = null;
        return true;
    }

    private static bool TryDecode(ReadOnlySpan<char> part, out byte[] bytes)
    {
        bytes = [];
        if (part.IsEmpty)
        {
            return false;
        }

        foreach (var c in part)
        {
            if (!(c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_'))
            {
                return false;
            }
        }

        var buffer = new byte[Base64Url.GetMaxDecodedLength(part.Length)];
        if (Base64Url.DecodeFromChars(part, buffer, out _, out var written) != OperationStatus.Done)
        {
            return false;
        }

        bytes = written == buffer.Length ? buffer : buffer.AsSpan(0, written).ToArray();
        return true;
    }

    private static bool TryReadHeader(byte[] header, out string? algorithm, out string? kid, out string? type, out string? problem)
    {
        algorithm = kid = type = null;
        problem = null;
        try
        {
            var reader = new Utf8JsonReader(header, new JsonReaderOptions { MaxDepth = 8 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                problem = "not a JSON object";
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("alg"u8))
                {
                    if (algorithm is not null || !ReadString(ref reader, out algorithm))
                    {
                        problem = "alg must appear once, as a string";
                        return false;
                    }
                }
                else if (reader.ValueTextEquals("kid"u8))
                {
                    if (kid is not null || !ReadString(ref reader, out kid))
                    {
                        problem = "kid must appear once, as a string";
                        return false;
                    }
                }
                else if (reader.ValueTextEquals("typ"u8))
                {
                    if (type is not null || !ReadString(ref reader, out type))
                    {
                        problem = "typ must appear once, as a string";
                        return false;
                    }
                }
                else if (reader.ValueTextEquals("crit"u8))
                {
                    problem = "critical header extensions are not supported";
                    return false;
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                problem = "trailing data after the header object";
                return false;
            }
        }
        catch (JsonException)
        {
            problem = "not valid JSON";
            return false;
        }

        if (algorithm is null)
        {
            problem = "alg is missing";
            return false;
        }

        return true;
    }

    private static bool ReadString(ref Utf8JsonReader reader, out string? value)
    {
        value = null;
        if (!reader.Read() || reader.TokenType != JsonTokenType.String)
        {
            return false;
        }

        value = reader.GetString();
        return true;
    }
}
