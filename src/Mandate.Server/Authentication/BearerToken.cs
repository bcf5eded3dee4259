namespace Mandate.Server.Authentication;

internal static class BearerToken
{
    private const string Prefix = "Bearer ";

    /// <summary>The token of an <c>Authorization: Bearer</c> header, or null.</summary>
    public static string? Read(HttpRequest request)
    {
        var token = Find(request);
        return token.IsEmpty ? null : token.ToString();
    }

    /// <summary>
    /// The token of an <c>Authorization: Bearer</c> header as a slice of the header's own string (empty when there is
    /// none): the handlers that run on every request check its prefix and hash it without copying it into a string.
    /// </summary>
    public static ReadOnlyMemory<char> Find(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return ReadOnlyMemory<char>.Empty;
        }

        return header.AsMemory(Prefix.Length).Trim();
    }
}
