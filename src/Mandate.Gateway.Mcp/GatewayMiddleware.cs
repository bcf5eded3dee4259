using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
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
    IGatewayDecisionPoint decisions,
    GatewayRateLimits rateLimits,
    GatewayPublicUrl publicUrl,
    McpGatewayOptions options,
    GatewayCallCounts counts,
    ILogger<GatewayMiddleware> logger)
{
    private readonly ModelContextProtocol.Protocol.Implementation serverInfo = McpGateway.ServerInfo();

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
        GatewayRpcRequest? message = null;
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
            message = GatewayRpcRequest.TryParse(body);
        }

        using var parsed = message;
        var method = message?.Method;
        var calledTool = method == "tools/call" ? message!.Parameter("name") : null;
        var toolKey = calledTool is null ? null : upstream.Name + "/" + calledTool;
        if (toolKey is not null && !rateLimits.ToolHasCallsLeft(toolKey))
        {
            await GatewayResponses.TooManyRequestsAsync(http, TimeSpan.FromMinutes(1), $"The tool '{toolKey}' received more calls than the gateway allows per minute.");
            return;
        }

        // A call (tools/call, resources/read, prompts/get) is decided while the MCP server code reads and dispatches the
        // request: its handler waits for the verdict before anything reaches the upstream. What the MCP server code
        // writes meanwhile is held back, so a refusal at the HTTP level (401, 429, 503) still replaces it whole.
        var origin = new GatewayRequestOrigin(http.TraceIdentifier, http.Connection.RemoteIpAddress);
        var verdict = VerdictAsync(upstream, credential, proof, origin, method, message, toolKey, http.RequestAborted);
        if (method is "tools/call" or "resources/read" or "prompts/get")
        {
            // The hot path: a plain tools/call is answered here, the way the SDK answers it, without building the SDK's
            // per-request server (which costs more than the gateway's own work and slows the decision running beside it).
            if (toolKey is not null && options.AnswerToolCallsDirectly && GatewayToolCallAnswer.TryPrepare(http, message!) is { } call)
            {
                counts.Direct();
                await call.AnswerAsync(http, verdict, serverInfo);
                return;
            }

            await DecideWhileDispatchingAsync(http, verdict);
            return;
        }

        var decided = await verdict;
        if (decided.Refusal is { } refuse)
        {
            await refuse(http);
            return;
        }

        http.Items[GatewayRequestState.ItemKey] = decided.State;
        await next(http);
    }

    private async Task DecideWhileDispatchingAsync(HttpContext http, Task<GatewayVerdict> verdict)
    {
        http.Items[GatewayRequestState.PendingKey] = verdict;
        var original = http.Features.GetRequiredFeature<IHttpResponseBodyFeature>();
        using var held = new MemoryStream();
        var holding = new StreamResponseBodyFeature(held, original);
        http.Features.Set<IHttpResponseBodyFeature>(holding);
        try
        {
            await next(http);
            await holding.CompleteAsync();
        }
        catch
        {
            // The MCP server code failed: the decision still in flight finishes before the body it reads is released.
            await Task.WhenAny(verdict);
            throw;
        }
        finally
        {
            http.Features.Set(original);
        }

        // The MCP server code may answer without calling a handler (a request it rejects): the verdict still counts.
        var decided = await verdict;
        if (decided.Refusal is { } refuse)
        {
            http.Response.Clear();
            await refuse(http);
            return;
        }

        if (held.Length > 0)
        {
            http.Response.ContentLength ??= held.Length;
            held.Position = 0;
            await held.CopyToAsync(http.Response.Body, http.RequestAborted);
        }
    }

    /// <summary>The decision and the HTTP-level checks after it; never throws for a decision point that cannot be asked (that is a 503 verdict).</summary>
    private async Task<GatewayVerdict> VerdictAsync(
        UpstreamServer upstream, AgentCredential credential, DpopForward? proof, GatewayRequestOrigin origin, string? method, GatewayRpcRequest? message, string? toolKey, CancellationToken ct)
    {
        GatewayRequestState state;
        try
        {
            state = await DecideAsync(upstream, credential, proof, origin, method, message, ct);
        }
        catch (DecisionPointException e)
        {
            LogDecisionPointFailed(logger, upstream.Name, e.Message);
            return GatewayVerdict.Refuse(http => GatewayResponses.ProblemAsync(http, GatewayProblem.DecisionPointUnavailable, "The gateway could not reach the Mandate decision point, so it refuses the request."));
        }

        if (state.Decision is { CredentialValid: false } refused)
        {
            LogCredentialRefused(logger, upstream.Name, credential.Key, refused.Reason ?? "invalid_token");
            return GatewayVerdict.Refuse(http => GatewayResponses.UnauthorizedAsync(http, publicUrl, "invalid_token", "The credential is not valid: " + (refused.Description ?? refused.Reason ?? "refused by the decision point")));
        }

        if (toolKey is not null && state.Method == "tools/call" && state.Decision is { Allowed: true } && !rateLimits.AcquireForTool(toolKey, out var retryAfter))
        {
            return GatewayVerdict.Refuse(http => GatewayResponses.TooManyRequestsAsync(http, retryAfter, $"The tool '{toolKey}' received more calls than the gateway allows per minute."));
        }

        return GatewayVerdict.Pass(state);
    }

    private async Task<GatewayRequestState> DecideAsync(
        UpstreamServer upstream, AgentCredential credential, DpopForward? proof, GatewayRequestOrigin origin, string? method, GatewayRpcRequest? message, CancellationToken ct)
    {
        switch (method)
        {
            case "tools/call" when message!.Parameter("name") is { } tool:
                return await DecideToolCallAsync(upstream, credential, proof, origin, tool, message.Arguments, ct);
            case "resources/read" when message!.Parameter("uri") is { } uri:
                return await DecideCallAsync(upstream, credential, proof, origin, method, uri, GatewayTargets.Resource(upstream.Options, uri), null, ct);
            case "prompts/get" when message!.Parameter("name") is { } prompt:
                return await DecideCallAsync(upstream, credential, proof, origin, method, prompt, GatewayTargets.Prompt(upstream.Options, prompt), message.Arguments, ct);
            case "tools/list" or "resources/list" or "resources/templates/list" or "prompts/list":
                return await DecideListAsync(upstream, credential, method, proof, origin, ct);
            default:
                var (alive, _) = await decisions.PermittedAsync(credential, proof, [], origin, ct);
                return new GatewayRequestState { Upstream = upstream, Credential = credential, Method = method, Decision = alive };
        }
    }

    /// <summary>A tool is decided with its annotations, so the catalogue (listed once per session) is needed first.</summary>
    private async Task<GatewayRequestState> DecideToolCallAsync(
        UpstreamServer upstream, AgentCredential credential, DpopForward? proof, GatewayRequestOrigin origin, string tool, JsonElement? arguments, CancellationToken ct)
    {
        Catalogue catalogue;
        try
        {
            catalogue = await upstream.CatalogueAsync(ct);
        }
        catch (UpstreamUnavailableException e)
        {
            // Without the tool's annotations there is nothing to decide: check the credential, report the upstream.
            var (alive, _) = await decisions.PermittedAsync(credential, proof, [], origin, ct);
            return new GatewayRequestState { Upstream = upstream, Credential = credential, Method = "tools/call", Target = tool, Decision = alive.CredentialValid ? alive with { Allowed = false } : alive, UpstreamError = e.Message };
        }

        return await DecideCallAsync(upstream, credential, proof, origin, "tools/call", tool, GatewayTargets.Tool(upstream.Options, tool, catalogue.FindTool(tool)), arguments, ct);
    }

    private async Task<GatewayRequestState> DecideCallAsync(
        UpstreamServer upstream, AgentCredential credential, DpopForward? proof, GatewayRequestOrigin origin, string method, string target, GatewayRequestTarget described, JsonElement? arguments, CancellationToken ct)
    {
        var decision = await decisions.EvaluateAsync(credential, proof, described, arguments, origin, ct);
        if (decision.CredentialValid && !decision.Allowed)
        {
            LogRefused(logger, upstream.Name, method, target, decision.Reason ?? "policy");
        }

        return new GatewayRequestState { Upstream = upstream, Credential = credential, Method = method, Target = target, Decision = decision };
    }

    private async Task<GatewayRequestState> DecideListAsync(
        UpstreamServer upstream, AgentCredential credential, string method, DpopForward? proof, GatewayRequestOrigin origin, CancellationToken ct)
    {
        Catalogue catalogue;
        try
        {
            catalogue = await upstream.CatalogueAsync(ct);
        }
        catch (UpstreamUnavailableException e)
        {
            var (alive, _) = await decisions.PermittedAsync(credential, proof, [], origin, ct);
            return new GatewayRequestState { Upstream = upstream, Credential = credential, Method = method, Decision = alive, UpstreamError = e.Message };
        }

        var options = upstream.Options;
        var (names, targets) = method switch
        {
            "tools/list" => (catalogue.Tools.Select(t => t.Name).ToList(), catalogue.Tools.Select(t => GatewayTargets.Tool(options, t.Name, t)).ToList()),
            "resources/list" => Targets(catalogue.Resources.Select(r => r.Uri), uri => GatewayTargets.Resource(options, uri)),
            "resources/templates/list" => Targets(catalogue.Templates.Select(t => t.UriTemplate), uri => GatewayTargets.Resource(options, uri)),
            _ => Targets(catalogue.Prompts.Select(p => p.Name), name => GatewayTargets.Prompt(options, name)),
        };
        var (credentialState, permitted) = await decisions.PermittedAsync(credential, proof, targets, origin, ct);
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

    private static (List<string> Names, List<GatewayRequestTarget> Targets) Targets(IEnumerable<string> listed, Func<string, GatewayRequestTarget> describe)
    {
        var names = listed.ToList();
        return (names, names.Select(describe).ToList());
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
