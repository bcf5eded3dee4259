using Microsoft.AspNetCore.Http;

namespace Mandate.Gateway.Mcp;

/// <summary>
/// The upstreams by endpoint: each at <c>/&lt;name&gt;/mcp</c>, and a gateway with one upstream also at <c>/mcp</c>.
/// </summary>
internal sealed class GatewayUpstreams : IAsyncDisposable
{
    public const string SingleEndpoint = "/mcp";

    /// <summary>Each endpoint path (without a trailing slash) to its upstream, built once.</summary>
    private readonly Dictionary<string, UpstreamServer> byEndpoint = new(StringComparer.Ordinal);

    public GatewayUpstreams(IReadOnlyList<UpstreamServer> servers)
    {
        Servers = servers;
        if (servers.Count == 1)
        {
            byEndpoint[SingleEndpoint] = servers[0];
        }

        foreach (var server in servers)
        {
            byEndpoint.TryAdd(EndpointOf(server.Name), server);
        }
    }

    public IReadOnlyList<UpstreamServer> Servers { get; }

    public static string EndpointOf(string name) => "/" + name + "/mcp";

    public UpstreamServer? ForPath(PathString path)
    {
        var value = path.Value;
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        if (byEndpoint.TryGetValue(value, out var server))
        {
            return server;
        }

        // The same endpoint written with trailing slashes.
        return value[^1] == '/' && byEndpoint.TryGetValue(value.TrimEnd('/'), out server) ? server : null;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var server in Servers)
        {
            await server.DisposeAsync();
        }
    }
}
