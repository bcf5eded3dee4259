using Microsoft.AspNetCore.Http;

namespace Mandate.Gateway.Mcp;

/// <summary>
/// The upstreams by endpoint: each at <c>/&lt;name&gt;/mcp</c>, and a gateway with one upstream also at <c>/mcp</c>.
/// </summary>
internal sealed class GatewayUpstreams(IReadOnlyList<UpstreamServer> servers) : IAsyncDisposable
{
    public const string SingleEndpoint = "/mcp";

    public IReadOnlyList<UpstreamServer> Servers => servers;

    public static string EndpointOf(string name) => "/" + name + "/mcp";

    public UpstreamServer? ForPath(PathString path)
    {
        var value = path.Value;
        if (value is null)
        {
            return null;
        }

        if (servers.Count == 1 && string.Equals(value.TrimEnd('/'), SingleEndpoint, StringComparison.Ordinal))
        {
            return servers[0];
        }

        foreach (var server in servers)
        {
            if (string.Equals(value.TrimEnd('/'), EndpointOf(server.Name), StringComparison.Ordinal))
            {
                return server;
            }
        }

        return null;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var server in servers)
        {
            await server.DisposeAsync();
        }
    }
}
