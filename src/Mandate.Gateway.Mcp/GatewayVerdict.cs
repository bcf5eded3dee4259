using Microsoft.AspNetCore.Http;

namespace Mandate.Gateway.Mcp;

/// <summary>
/// The enforcement's outcome for one request: either the state the MCP handlers act on, or the HTTP answer that
/// refuses the request instead (401 for a credential the decision point does not accept, 429 for a tool over its
/// limit, 503 when the decision point cannot be asked). It is settled once; the handler and the middleware read the same one.
/// </summary>
internal sealed class GatewayVerdict
{
    private GatewayVerdict(GatewayRequestState? state, Func<HttpContext, Task>? refusal)
    {
        State = state;
        Refusal = refusal;
    }

    /// <summary>What the handlers act on; null when the request is refused at the HTTP level.</summary>
    public GatewayRequestState? State { get; }

    /// <summary>Writes the HTTP refusal; null when the request goes on to the MCP handlers.</summary>
    public Func<HttpContext, Task>? Refusal { get; }

    public static GatewayVerdict Pass(GatewayRequestState state) => new(state, null);

    public static GatewayVerdict Refuse(Func<HttpContext, Task> refusal) => new(null, refusal);
}
