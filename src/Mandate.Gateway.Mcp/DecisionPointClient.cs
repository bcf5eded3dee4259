using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mandate.Gateway.Mcp;

/// <summary>
/// The gateway's side of the decision point: one <c>POST /access/v1/evaluation</c> per call (the agent's credential and
/// DPoP proof in <c>context.credential</c> and <c>context.credential_proof</c>, so the server verifies, decides and
/// records it in one step), and <c>POST /v1/decisions/permitted</c> for lists and for requests that decide nothing.
/// The gateway authenticates as an enforcement point. Any failure to get an answer refuses (fail closed).
/// </summary>
internal sealed class DecisionPointClient(HttpClient http)
{
    /// <summary>Deny reasons that mean the credential itself is unusable: the agent gets 401, not a refusal.</summary>
    private static readonly HashSet<string> CredentialReasons = new(StringComparer.Ordinal)
    {
        "invalid_token", "subject_mismatch", "identity_inactive", "credential_unverifiable",
    };

    public static HttpClient CreateHttpClient(McpGatewayOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), AllowAutoRedirect = false })
        {
            BaseAddress = options.Server,
            Timeout = options.DecisionTimeout,
        };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.ServerToken);
        return client;
    }

    /// <summary>Decides one call.</summary>
    public async Task<GatewayDecision> EvaluateAsync(AgentCredential credential, GatewayRequestTarget target, JsonNode? arguments, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["subject"] = Subject(credential),
            ["action"] = new JsonObject { ["name"] = target.Action },
            ["resource"] = Resource(target),
            ["context"] = Context(credential, target.Proof, arguments),
        };
        using var response = await PostAsync(Mandate.Protocol.AuthZen.AuthZenPaths.Evaluation, body, cancellationToken);
        if (response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.RequestEntityTooLarge)
        {
            // The call itself cannot be decided (arguments over the decision point's context limit, an id too long):
            // a refusal naming why, not an outage.
            var (code, detail) = await ProblemAsync(response, cancellationToken);
            return new GatewayDecision(false, CredentialValid: true, code ?? "invalid_request", detail, null);
        }

        var answer = await ReadAsync(response, cancellationToken);
        var allowed = answer["decision"]?.GetValue<bool>() ?? false;
        var context = answer["context"] as JsonObject;
        var reason = context?["reason"]?.GetValue<string>();
        var description = context?["reason_user"]?.GetValue<string>();
        var decisionId = context?["decision_id"]?.GetValue<string>();
        if (!allowed && reason is not null && CredentialReasons.Contains(reason))
        {
            return GatewayDecision.Unauthenticated(reason, description);
        }

        return new GatewayDecision(allowed, CredentialValid: true, reason, description, decisionId);
    }

    /// <summary>Whether the credential is alive, and which of the targets its holder could use now.</summary>
    public async Task<(GatewayDecision Credential, IReadOnlyList<bool> Permitted)> PermittedAsync(
        AgentCredential credential, DpopForward? proof, IReadOnlyList<GatewayRequestTarget> targets, CancellationToken cancellationToken)
    {
        var items = new JsonArray();
        foreach (var target in targets)
        {
            items.Add(new JsonObject { ["action"] = new JsonObject { ["name"] = target.Action }, ["resource"] = Resource(target) });
        }

        var body = new JsonObject
        {
            ["subject"] = Subject(credential),
            ["context"] = Context(credential, proof, null),
            ["evaluations"] = items,
        };
        using var response = await PostAsync("/v1/decisions/permitted", body, cancellationToken);
        var answer = await ReadAsync(response, cancellationToken);
        var verdict = answer["credential"] as JsonObject;
        if (verdict?["valid"]?.GetValue<bool>() != true)
        {
            return (GatewayDecision.Unauthenticated(verdict?["reason"]?.GetValue<string>() ?? "invalid_token", verdict?["reason_user"]?.GetValue<string>()), []);
        }

        var permitted = (answer["permitted"] as JsonArray ?? []).Select(p => p?.GetValue<bool>() ?? false).ToList();
        if (permitted.Count != targets.Count)
        {
            throw new DecisionPointException("the decision point answered a different number of items than asked");
        }

        return (new GatewayDecision(true, true, null, null, null), permitted);
    }

    private static JsonObject Subject(AgentCredential credential) => new() { ["type"] = "Workload", ["id"] = credential.ActingParty };

    private static JsonObject Resource(GatewayRequestTarget target)
    {
        var resource = new JsonObject { ["type"] = target.ResourceType, ["id"] = target.ResourceId };
        if (target.Properties is { } properties)
        {
            resource["properties"] = properties.DeepClone();
        }

        return resource;
    }

    private static JsonObject Context(AgentCredential credential, DpopForward? proof, JsonNode? arguments)
    {
        var context = new JsonObject { ["credential"] = credential.Token };
        if (proof is not null)
        {
            context["credential_proof"] = new JsonObject { ["dpop"] = proof.Proof, ["htm"] = proof.Method, ["htu"] = proof.Uri };
        }

        if (arguments is not null)
        {
            context["arguments"] = arguments.DeepClone();
        }

        return context;
    }

    private async Task<HttpResponseMessage> PostAsync(string path, JsonObject body, CancellationToken cancellationToken)
    {
        using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        try
        {
            return await http.PostAsync(new Uri(path, UriKind.Relative), content, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new DecisionPointException("the decision point is unreachable: " + e.Message, e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new DecisionPointException("the decision point did not answer in time", e);
        }
    }

    private static async Task<JsonObject> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            throw new DecisionPointException($"the decision point refused the gateway's own credential ({(int)response.StatusCode})");
        }

        if (!response.IsSuccessStatusCode)
        {
            var (_, detail) = await ProblemAsync(response, cancellationToken);
            throw new DecisionPointException($"the decision point answered {(int)response.StatusCode}{(detail is null ? string.Empty : ": " + detail)}");
        }

        try
        {
            var node = await JsonNode.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
            return node as JsonObject ?? throw new DecisionPointException("the decision point's answer is not a JSON object");
        }
        catch (JsonException e)
        {
            throw new DecisionPointException("the decision point's answer is not JSON", e);
        }
    }

    /// <summary>The problem's type code (the last segment of its type URI) and detail, when the body is RFC 9457 JSON.</summary>
    private static async Task<(string? Code, string? Detail)> ProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var problem = await JsonNode.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
            var type = problem?["type"]?.GetValue<string>();
            return (type?[(type.LastIndexOf('/') + 1)..], problem?["detail"]?.GetValue<string>());
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return (null, null);
        }
    }
}

/// <summary>What one request asks about: the action and the MCP entity (<c>McpTool::"server/tool"</c>, …).</summary>
internal sealed record GatewayRequestTarget(string Action, string ResourceType, string ResourceId, JsonObject? Properties, DpopForward? Proof = null);

/// <summary>The DPoP proof the agent sent and the request it protects, forwarded for the decision point to check.</summary>
internal sealed record DpopForward(string Proof, string Method, string Uri);

/// <summary>The answer for one request: allowed or not, or the credential is not usable at all.</summary>
internal sealed record GatewayDecision(bool Allowed, bool CredentialValid, string? Reason, string? Description, string? DecisionId)
{
    public static GatewayDecision Unauthenticated(string reason, string? description) => new(false, false, reason, description, null);
}

/// <summary>The decision point could not be asked or gave no usable answer: the request is refused.</summary>
internal sealed class DecisionPointException : Exception
{
    public DecisionPointException(string message)
        : base(message)
    {
    }

    public DecisionPointException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public DecisionPointException()
    {
    }
}
