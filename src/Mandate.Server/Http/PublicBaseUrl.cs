using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Mandate.Server.Http;

/// <summary>
/// The server's own absolute URL, from configuration only (<see cref="MandateServerOptions.PublicUrl"/>, else the first
/// address Kestrel listens on): what a DPoP proof's <c>htu</c> must name and what the AuthZEN metadata advertises. The
/// request's <c>Host</c> header (and any forwarded host) is attacker-controlled and never used.
/// </summary>
internal sealed class PublicBaseUrl(IOptions<MandateServerOptions> options, IServer server)
{
    /// <summary>An absolute http(s) URL without user info, query or fragment.</summary>
    public static bool IsValid(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        && uri.UserInfo.Length == 0 && uri.Query.Length == 0 && uri.Fragment.Length == 0;

    /// <summary>The base URL without a trailing slash.</summary>
    public string Value()
    {
        var settings = options.Value;
        if (settings.PublicUrl is { Length: > 0 } configured)
        {
            return configured.TrimEnd('/');
        }

        // Read per call: the listening address of a server started on port 0 is known only once it listens.
        var listening = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        var first = listening ?? settings.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? MandateServerOptions.DefaultUrls;
        return first.TrimEnd('/');
    }

    /// <summary>The URI a request was made to as a DPoP proof's <c>htu</c> must name it: the public base URL plus the path.</summary>
    public string RequestUri(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Value() + request.Path.ToUriComponent();
    }
}
