using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Mandate.Gateway.Mcp;

/// <summary>
/// The enforcement in front of the MCP endpoints. Every request needs the agent's Mandate credential (else 401 with a
/// <c>WWW-Authenticate</c> naming the RFC 9728 protected-resource metadata). The JSON-RPC body is read (bounded) and:
/// a call (<c>tools/call</c>, <c>resources/read</c>, <c>prompts/get</c>) is one decision at the decision point, which
/// also verifies the credential and writes the ledger entry; a list is answered with what the caller may use now; any
/// other request (<c>initialize</c>, <c>ping</c>, notifications) checks that the credential is alive. A credential the
/// decision point does not accept is 401 whatever the request. The outcome is left for the MCP handlers in
/// <see cref="GatewayRequestState"/>.
/// </summary>
internal sealed partial class GatewayMiddleware(
    RequestDelegate next,
    GatewayUpstreams upstreams,
    DecisionPointClient decisions,
    GatewayRateLimits rateLimits,
    GatewayPublicUrl publicUrl,
    McpGatewayOptions options,
    ILogger<GatewayMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext http)
    {
        var upstream = upstreams.ForPath(http.Request.Path);
        if (upstream is null)
        {
            await next(http);
            return;
        }

        var (credential, error) = AgentCredential.Read(http.Request.Headers.Authorization.ToString(), http.Request.Headers["DPoP"].ToString());
        if (credential is null)
        {
            await GatewayResponses.UnauthorizedAsync(http, publicUrl, error is null ? null : "invalid_token", error ?? "The gateway needs the agent's Mandate credential as 'Authorization: Bearer <token>'.");
            return;
        }

        if (!rateLimits.AcquireForCredential(credential.Key, out var retryAfter))
        {
            await GatewayResponses.TooManyRequestsAsync(http, retryAfter, "This credential sent more requests than the gateway allows per minute.");
            return;
        }

        var proof = credential.DpopProof is { } dpop ? new DpopForward(dpop, http.Request.Method, publicUrl.For(http.Request.Path)) : null;
        JsonObject? message = null;
        if (HttpMethods.IsPost(http.Request.Method))
        {
            var (body, tooLarge) = await ReadBodyAsync(http, options.Limits.MaxRequestBytes);
            if (tooLarge)
            {
                await GatewayResponses.ProblemAsync(http, GatewayProblem.PayloadTooLarge, $"The request body is larger than {options.Limits.MaxRequestBytes} bytes.");
                return;
            }

            http.Request.Body = new MemoryStream(body!, writable: false);
            http.Request.ContentLength = body!.Length;
            message = TryParse(body);
        }

        if (message?["method"]?.ToString() == "tools/call" && message["params"]?["name"]?.ToString() is { } calledTool
            && !rateLimits.ToolHasCallsLeft(upstream.Name + "/" + calledTool))
        {
            await GatewayResponses.TooManyRequestsAsync(http, TimeSpan.FromMinutes(1), $"The tool '{upstream.Name}/{calledTool}' received more calls than the gateway allows per minute.");
            return;
        }

        GatewayRequestState state;
        try
        {
            state = await DecideAsync(http, upstream, credential, proof, message);
        }
        catch (DecisionPointException e)
        {
            LogDecisionPointFailed(logger, upstream.Name, e.Message);
            await GatewayResponses.ProblemAsync(http, GatewayProblem.DecisionPointUnavailable, "The gateway could not reach the Mandate decision point, so it refuses the request.");
            return;
        }

        if (state.Decision is { CredentialValid: false } refused)
        {
            LogCredentialRefused(logger, upstream.Name, credential.Key, refused.Reason ?? "invalid_token");
            await GatewayResponses.UnauthorizedAsync(http, publicUrl, "invalid_token", "The credential is not valid: " + (refused.Description ?? refused.Reason ?? "refused by the decision point"));
            return;
        }

        if (state.Method == "tools/call" && state.Decision is { Allowed: true } && !rateLimits.AcquireForTool(upstream.Name + "/" + state.Target, out retryAfter))
        {
            await GatewayResponses.TooManyRequestsAsync(http, retryAfter, $"The tool '{upstream.Name}/{state.Target}' received more calls than the gateway allows per minute.");
            return;
        }

        http.Items[GatewayRequestState.ItemKey] = state;
        await next(http);
    }

    private async Task<GatewayRequestState> DecideAsync(HttpContext http, UpstreamServer upstream, AgentCredential credential, DpopForward? proof, JsonObject? message)
    {
        var method = message?["method"] is JsonValue m && m.TryGetValue<string>(out var name) ? name : null;
        var parameters = message?["params"] as JsonObject;
        var ct = http.RequestAborted;
        switch (method)
        {
            case "tools/call" when Text(parameters, "name") is { } tool:
                return await DecideCallAsync(upstream, credential, method, tool, parameters?["arguments"], proof, catalogue =>
                    GatewayTargets.Tool(upstream.Options, tool, catalogue?.Tools.FirstOrDefault(t => t.Name == tool), proof), ct);
            case "resources/read" when Text(parameters, "uri") is { } uri:
                return await DecideCallAsync(upstream, credential, method, uri, null, proof, _ => GatewayTargets.Resource(upstream.Options, uri, proof), ct);
            case "prompts/get" when Text(parameters, "name") is { } prompt:
                return await DecideCallAsync(upstream, credential, method, prompt, parameters?["arguments"], proof, _ => GatewayTargets.Prompt(upstream.Options, prompt, proof), ct);
            case "tools/list" or "resources/list" or "resources/templates/list" or "prompts/list":
                return await DecideListAsync(upstream, credential, method, proof, ct);
            default:
                var (alive, _) = await decisions.PermittedAsync(credential, proof, [], ct);
                return new GatewayRequestState { Upstream = upstream, Credential = credential, Method = method, Decision = alive };
        }
    }

    private async Task<GatewayRequestState> DecideCallAsync(
        UpstreamServer upstream, AgentCredential credential, string method, string target, JsonNode? arguments, DpopForward? proof,
        Func<Catalogue?, GatewayRequestTarget> describe, CancellationToken ct)
    {
        Catalogue? catalogue = null;
        if (method == "tools/call")
        {
            try
            {
                catalogue = await upstream.CatalogueAsync(ct);
            }
            catch (UpstreamUnavailableException e)
            {
                // Without the tool's annotations there is nothing to decide: check the credential, report the upstream.
                var (alive, _) = await decisions.PermittedAsync(credential, proof, [], ct);
                return new GatewayRequestState { Upstream = upstream, Credential = credential, Method = method, Target = target, Decision = alive.CredentialValid ? alive with { Allowed = false } : alive, UpstreamError = e.Message };
            }
        }

        var decision = await decisions.EvaluateAsync(credential, describe(catalogue), arguments, ct);
        if (decision.CredentialValid && !decision.Allowed)
        {
            LogRefused(logger, upstream.Name, method, target, decision.Reason ?? "policy");
        }

        return new GatewayRequestState { Upstream = upstream, Credential = credential, Method = method, Target = target, Decision = decision };
    }

    private async Task<GatewayRequestState> DecideListAsync(UpstreamServer upstream, AgentCredential credential, string method, DpopForward? proof, CancellationToken ct)
    {
        Catalogue catalogue;
        try
        {
            catalogue = await upstream.CatalogueAsync(ct);
        }
        catch (UpstreamUnavailableException e)
        {
            var (alive, _) = await decisions.PermittedAsync(credential, proof, [], ct);
            return new GatewayRequestState { Upstream = upstream, Credential = credential, Method = method, Decision = alive, UpstreamError = e.Message };
        }

        var names = method switch
        {
            "tools/list" => catalogue.Tools.Select(t => t.Name).ToList(),
            "resources/list" => catalogue.Resources.Select(r => r.Uri).ToList(),
            "resources/templates/list" => catalogue.Templates.Select(t => t.UriTemplate).ToList(),
            _ => catalogue.Prompts.Select(p => p.Name).ToList(),
        };
        var targets = method switch
        {
            "tools/list" => catalogue.Tools.Select(t => GatewayTargets.Tool(upstream.Options, t.Name, t)).ToList(),
            "resources/list" or "resources/templates/list" => names.Select(uri => GatewayTargets.Resource(upstream.Options, uri)).ToList(),
            _ => names.Select(name => GatewayTargets.Prompt(upstream.Options, name)).ToList(),
        };
        var (credentialState, permitted) = await decisions.PermittedAsync(credential, proof, targets, ct);
        var visible = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < permitted.Count; i++)
        {
            if (permitted[i])
            {
                visible.Add(names[i]);
            }
        }

        return new GatewayRequestState { Upstream = upstream, Credential = credential, Method = method, Decision = credentialState, Permitted = visible };
    }

    private static string? Text(JsonObject? parameters, string name) =>
        parameters?[name] is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0 ? text : null;

    /// <summary>The body as one JSON-RPC object, or null (not JSON, a batch): the MCP server code then answers it.</summary>
    private static JsonObject? TryParse(byte[] body)
    {
        try
        {
            return JsonNode.Parse(body) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static async Task<(byte[]? Body, bool TooLarge)> ReadBodyAsync(HttpContext http, int limit)
    {
        if (http.Request.ContentLength > limit)
        {
            return (null, true);
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await http.Request.Body.ReadAsync(chunk, http.RequestAborted)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return (null, true);
            }

            buffer.Write(chunk, 0, read);
        }

        return (buffer.ToArray(), false);
    }

    [LoggerMessage(EventId = 9010, Level = LogLevel.Warning, Message = "MCP gateway {Upstream}: the decision point failed ({Error}); request refused")]
    private static partial void LogDecisionPointFailed(ILogger logger, string upstream, string error);

    [LoggerMessage(EventId = 9011, Level = LogLevel.Information, Message = "MCP gateway {Upstream}: credential {CredentialKey} refused ({Reason})")]
    private static partial void LogCredentialRefused(ILogger logger, string upstream, string credentialKey, string reason);

    [LoggerMessage(EventId = 9012, Level = LogLevel.Information, Message = "MCP gateway {Upstream}: {Method} {Target} refused ({Reason})")]
    private static partial void LogRefused(ILogger logger, string upstream, string method, string target, string reason);
}
