using Mandate.Core.Storage;

namespace Mandate.Server;

/// <summary>How <c>mandate serve</c> was asked to run.</summary>
internal sealed class MandateServerOptions
{
    public const string DefaultUrls = "http://127.0.0.1:8080";

    /// <summary>Kestrel listen URLs, separated by ';'.</summary>
    public string Urls { get; set; } = DefaultUrls;

    /// <summary>
    /// Cleartext HTTP/2 listen URLs (h2c with prior knowledge, <c>http://</c> only), separated by ';': for enforcement
    /// points that multiplex their decisions over one connection. Null: none. HTTP/1.1 stays on <see cref="Urls"/>.
    /// </summary>
    public string? Http2Urls { get; set; }

    /// <summary>Where the server keeps its own state (default SQLite file, admin token file).</summary>
    public string StateDirectory { get; set; } = ".mandate";

    /// <summary>The store; null means SQLite at <c>StateDirectory/mandate.db</c>.</summary>
    public StoreLocation? Store { get; set; }

    /// <summary>Seed the demo estate and write a fresh admin token to <c>StateDirectory/admin.token</c>.</summary>
    public bool Demo { get; set; }

    /// <summary>A directory of <c>*.cedar</c>, <c>entities.json</c> and <c>schema.cedarschema</c> to load.</summary>
    public string? DataDirectory { get; set; }

    /// <summary>
    /// The server's public base URL (<c>--public-url</c>): the only source of the URL a DPoP proof's <c>htu</c> must name
    /// and of the AuthZEN metadata. Null: the first listen URL (with the port actually bound). The request's Host header
    /// is never used.
    /// </summary>
    public string? PublicUrl { get; set; }

    /// <summary>
    /// MCP gateways the server hosts (<c>--mcp-gateway FILE</c>, the file form of <c>mandate gateway mcp --config</c>):
    /// each listens on its own URL and decides in this process, without an HTTP hop to the decision point.
    /// </summary>
    public IReadOnlyList<Gateway.HostedMcpGatewayConfig> McpGateways { get; set; } = [];

    public StoreLocation EffectiveStore => Store ?? StoreLocation.DefaultSqlite(StateDirectory);

    public string AdminTokenPath => Path.Combine(StateDirectory, "admin.token");
}
