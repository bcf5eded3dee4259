using Mandate.Gateway.Mcp;

namespace Mandate.Server.Gateway;

/// <summary>A gateway the server runs: its host, the address it is bound to and its MCP endpoints.</summary>
internal sealed record HostedMcpGateway(HostedMcpGatewayConfig Config, WebApplication App, Uri Address, IReadOnlyList<string> Endpoints)
{
    public IReadOnlyList<UpstreamOptions> Upstreams => Config.File.Upstreams;
}
