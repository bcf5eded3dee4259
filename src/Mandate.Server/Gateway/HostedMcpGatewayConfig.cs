using Mandate.Gateway.Mcp;

namespace Mandate.Server.Gateway;

/// <summary>One gateway the server hosts: its configuration file (the form of <c>mandate gateway mcp --config</c>) and where it came from.</summary>
internal sealed record HostedMcpGatewayConfig(string Source, GatewayConfigFile File)
{
    /// <summary>Where a hosted gateway listens when its file names no <c>listen</c>: the standalone gateway's default.</summary>
    public static readonly Uri DefaultListen = new("http://127.0.0.1:8090");

    /// <summary>Reads and checks the file.</summary>
    /// <exception cref="GatewayConfigException">The file cannot be read or is not a valid configuration (the message names file, line and column).</exception>
    public static HostedMcpGatewayConfig Read(string path) => new(path, GatewayConfigFile.Read(path));
}
