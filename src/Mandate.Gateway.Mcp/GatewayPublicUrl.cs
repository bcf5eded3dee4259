using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;

namespace Mandate.Gateway.Mcp;

/// <summary>
/// The gateway's URL as agents see it: the configured public URL, else the address it is bound to (never the request's
/// Host header, which would let a caller point the metadata elsewhere). A DPoP proof names it in <c>htu</c>.
/// </summary>
internal sealed class GatewayPublicUrl(McpGatewayOptions options, IServer server)
{
    private string? resolved;

    public string Base => resolved ??= Resolve();

    public string For(PathString path) => Base + path.Value;

    /// <summary>RFC 9728 §3.1: the well-known segment goes between the host and the resource's path.</summary>
    public string MetadataFor(PathString resourcePath) => Base + "/.well-known/oauth-protected-resource" + resourcePath.Value;

    private string Resolve()
    {
        if (options.PublicUrl is { } configured)
        {
            return configured.GetLeftPart(UriPartial.Authority) + configured.AbsolutePath.TrimEnd('/');
        }

        var bound = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        return (bound ?? options.Listen.GetLeftPart(UriPartial.Authority)).TrimEnd('/');
    }
}
