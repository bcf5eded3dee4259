using System.Buffers.Text;
using System.Text.Json;

namespace Mandate.Client;

/// <summary>
/// Reads the <c>exp</c> claim of a JWT credential without verifying it. Only the decision cache uses it, to never keep
/// an answer past the moment the credential it was decided for dies; a forged <c>exp</c> can only shorten an entry's
/// life, because the PDP has already decided on the verified credential.
/// </summary>
internal static class CredentialExpiry
{
    private const int MaxPayloadChars = 16 * 1024;

    public static DateTimeOffset? Of(string credential)
    {
        var firstDot = credential.IndexOf('.', StringComparison.Ordinal);
        var secondDot = firstDot < 0 ? -1 : credential.IndexOf('.', firstDot + 1);
        if (secondDot < 0 || secondDot - firstDot - 1 > MaxPayloadChars)
        {
            return null;
        }

        try
        {
            var payload = Base64Url.DecodeFromChars(credential.AsSpan(firstDot + 1, secondDot - firstDot - 1));
            using var document = JsonDocument.Parse(payload);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("exp", out var exp)
                && exp.TryGetInt64(out var seconds)
                && seconds is > 0 and < 253402300800
                    ? DateTimeOffset.FromUnixTimeSeconds(seconds)
                    : null;
        }
        catch (FormatException)
        {
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
