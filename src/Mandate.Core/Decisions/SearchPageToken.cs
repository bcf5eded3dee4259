using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Mandate.Protocol.AuthZen;

namespace Mandate.Core.Decisions;

/// <summary>
/// Opaque search page tokens: the offset of the next page bound to a fingerprint of the query (every member except
/// <c>page</c>), so a follow-up that changes the query is refused as the spec asks.
/// </summary>
internal static class SearchPageToken
{
    private const string Prefix = "p1.";

    public static string Fingerprint(SearchRequest request, string searched)
    {
        var copy = new SearchRequest
        {
            Subject = request.Subject,
            Action = request.Action,
            Resource = request.Resource,
            Context = request.Context,
        };
        var json = JsonSerializer.SerializeToUtf8Bytes(copy, AuthZenJsonContext.Default.SearchRequest);
        var hash = SHA256.HashData([.. Encoding.UTF8.GetBytes(searched), 0, .. json]);
        return Convert.ToHexStringLower(hash.AsSpan(0, 12));
    }

    public static string Create(int offset, string fingerprint) =>
        Prefix + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(offset.ToString(System.Globalization.CultureInfo.InvariantCulture) + ":" + fingerprint));

    public static int Read(string token, string fingerprint)
    {
        try
        {
            if (token.StartsWith(Prefix, StringComparison.Ordinal))
            {
                var text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token.AsSpan(Prefix.Length)));
                var colon = text.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0
                    && int.TryParse(text.AsSpan(0, colon), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var offset))
                {
                    if (text[(colon + 1)..] != fingerprint)
                    {
                        throw new AuthZenRequestException(AuthZenErrorCodes.InvalidPageToken, "page.token belongs to a different query: every member but page must stay the same while paging.");
                    }

                    return offset;
                }
            }
        }
        catch (FormatException)
        {
            // Falls through to the error below.
        }

        throw new AuthZenRequestException(AuthZenErrorCodes.InvalidPageToken, "page.token is not a token this server issued.");
    }
}
