using System.Net;
using System.Text.Json;

namespace Mandate.Gateway.Mcp;

/// <summary>
/// Where the gateway asks about a request: one evaluation per call (verifies the credential and its proof, decides,
/// writes the ledger entry), and what a credential's holder may use now (lists, and the liveness check of requests that
/// decide nothing; unaudited). <see cref="DecisionPointClient"/> asks a Mandate server over HTTP (the standalone
/// <c>mandate gateway mcp</c>); a gateway hosted by <c>mandate serve</c> asks the server's own decision service in its
/// process, with the same requests and the same verdicts. An implementation that cannot get an answer throws
/// <see cref="DecisionPointException"/>, which refuses the request (fail closed).
/// </summary>
internal interface IGatewayDecisionPoint
{
    /// <summary>Decides one call; <paramref name="arguments"/> are the call's own (the JSON-RPC params.arguments), passed through as they came.</summary>
    Task<GatewayDecision> EvaluateAsync(
        AgentCredential credential, DpopForward? proof, GatewayRequestTarget target, JsonElement? arguments, GatewayRequestOrigin origin, CancellationToken cancellationToken);

    /// <summary>Whether the credential is alive, and which of the targets its holder could use now.</summary>
    Task<(GatewayDecision Credential, IReadOnlyList<bool> Permitted)> PermittedAsync(
        AgentCredential credential, DpopForward? proof, IReadOnlyList<GatewayRequestTarget> targets, GatewayRequestOrigin origin, CancellationToken cancellationToken);
}

/// <summary>
/// Where the agent's request came from: its request id and the address it connected from. A decision point in the
/// gateway's own process records them (the ledger's request id and client); over HTTP the server sees the gateway.
/// </summary>
internal sealed record GatewayRequestOrigin(string RequestId, IPAddress? Client)
{
    /// <summary>A request with no agent behind it (a benchmark asking directly).</summary>
    public static GatewayRequestOrigin None { get; } = new("gateway", null);
}
