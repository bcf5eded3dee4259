namespace Mandate.Gateway.Mcp;

/// <summary>
/// One gateway: where agents reach it, which Mandate server decides, how the gateway authenticates to that server as an
/// enforcement point, the upstream MCP servers it fronts and the limits it holds them to.
/// </summary>
internal sealed class McpGatewayOptions
{
    /// <summary>Where the gateway listens (<c>http://127.0.0.1:8090</c>); port 0 picks a free one.</summary>
    public required Uri Listen { get; init; }

    /// <summary>
    /// The URL agents use to reach the gateway, when it differs from <see cref="Listen"/> (a proxy in front): the base of
    /// the protected-resource metadata and of the <c>htu</c> a DPoP proof must name. Default: the bound address.
    /// </summary>
    public Uri? PublicUrl { get; init; }

    /// <summary>The Mandate server that decides (and issues the credentials: the metadata's authorization server).</summary>
    public required Uri Server { get; init; }

    /// <summary>
    /// The authorization server the protected-resource metadata names, read per request, for a gateway whose server's
    /// address is known only once that server listens (a gateway the server hosts, started on port 0). Null: <see cref="Server"/>.
    /// </summary>
    public Func<string>? AuthorizationServer { get; init; }

    /// <summary>
    /// The gateway's own credential at the decision point (a PEP credential, a JWT-SVID or the admin token), for a
    /// gateway that asks the server over HTTP; a gateway hosted by the server decides in its process and has none.
    /// </summary>
    public string? ServerToken { get; init; }

    public required IReadOnlyList<UpstreamOptions> Upstreams { get; init; }

    public GatewayLimits Limits { get; init; } = new();

    /// <summary>How long a call to the decision point may take before the request is refused (fail closed).</summary>
    public TimeSpan DecisionTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Whether a plain <c>tools/call</c> is answered without the SDK's per-request server
    /// (<see cref="GatewayToolCallAnswer"/>). Always on in the product; off only where a test compares the two answers.
    /// </summary>
    public bool AnswerToolCallsDirectly { get; init; } = true;
}

/// <summary>One upstream MCP server, reached over stdio (a command the gateway starts) or Streamable HTTP.</summary>
internal sealed class UpstreamOptions
{
    /// <summary>The server's name: <c>McpServer::"&lt;Name&gt;"</c>, and the prefix of its tools' ids.</summary>
    public required string Name { get; init; }

    /// <summary>The command and its arguments, for a stdio upstream.</summary>
    public IReadOnlyList<string>? Command { get; init; }

    /// <summary>The MCP endpoint, for an HTTP upstream.</summary>
    public Uri? Url { get; init; }

    /// <summary>
    /// The action a tool is decided as, by tool name, overriding its annotations (<c>readOnlyHint</c> is a hint from the
    /// server, not a promise): <c>read</c> or <c>write</c>.
    /// </summary>
    public IReadOnlyDictionary<string, string> ToolActions { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    public string Describe() => Url is not null ? Url.ToString() : "stdio:" + string.Join(' ', Command ?? []);
}

/// <summary>What keeps one agent or one tool from taking the gateway or the upstream down.</summary>
internal sealed class GatewayLimits
{
    /// <summary>Requests per minute one credential may send (0: no limit).</summary>
    public int RequestsPerMinutePerCredential { get; init; } = 600;

    /// <summary>Calls per minute one tool (of one server) may receive, all agents together (0: no limit).</summary>
    public int CallsPerMinutePerTool { get; init; } = 600;

    /// <summary>The largest request body the gateway reads.</summary>
    public int MaxRequestBytes { get; init; } = 1024 * 1024;

    /// <summary>The largest answer from an upstream the gateway passes on.</summary>
    public int MaxResponseBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>How long an upstream may take to answer one request.</summary>
    public TimeSpan UpstreamTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long an upstream may take to start and answer <c>initialize</c>: separate from <see cref="UpstreamTimeout"/>
    /// because launching a server process (npx, a runtime's start-up) can take far longer than any one of its answers.
    /// </summary>
    public TimeSpan UpstreamStartTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The first wait before restarting an upstream that exited; doubled on each failure up to <see cref="MaxRestartDelay"/>.</summary>
    public TimeSpan MinRestartDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan MaxRestartDelay { get; init; } = TimeSpan.FromSeconds(30);
}
