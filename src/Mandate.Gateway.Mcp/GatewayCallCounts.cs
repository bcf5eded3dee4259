namespace Mandate.Gateway.Mcp;

/// <summary>
/// How the gateway answered <c>tools/call</c> requests: directly (<see cref="GatewayToolCallAnswer"/>) or through the
/// SDK's per-request server. Tests read it to know which path a call took; one instance per gateway.
/// </summary>
internal sealed class GatewayCallCounts
{
    private long answeredDirectly;

    /// <summary>Calls answered without the SDK's per-request server.</summary>
    public long AnsweredDirectly => Interlocked.Read(ref answeredDirectly);

    public void Direct() => Interlocked.Increment(ref answeredDirectly);
}
