using Microsoft.AspNetCore.Http;

namespace Mandate.Gateway.Mcp;

/// <summary>
/// A problem the gateway answers itself, before MCP is spoken. The gateway is a separate process without the server's
/// problem table, so it keeps its own small one; codes it shares with the server carry the server's title
/// (docs/errors.md, "MCP gateway", lists them and a test holds the two together).
/// </summary>
internal sealed record GatewayProblem(string Code, int Status, string Title)
{
    public static readonly GatewayProblem Unauthenticated = new("unauthenticated", StatusCodes.Status401Unauthorized, "Authentication required.");

    public static readonly GatewayProblem PayloadTooLarge = new("payload-too-large", StatusCodes.Status413PayloadTooLarge, "The request body is too large.");

    public static readonly GatewayProblem RateLimited = new("rate-limited", StatusCodes.Status429TooManyRequests, "Too many requests.");

    public static readonly GatewayProblem DecisionPointUnavailable = new("decision-point-unavailable", StatusCodes.Status503ServiceUnavailable, "The decision point is unavailable.");

    public static IReadOnlyList<GatewayProblem> All { get; } = [Unauthenticated, PayloadTooLarge, RateLimited, DecisionPointUnavailable];
}
