using System.Collections.Frozen;
using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mandate.Gateway.Mcp;

/// <summary>
/// The gateway's side of the decision point: one <c>POST /access/v1/evaluation</c> per call (the agent's credential and
/// DPoP proof in <c>context.credential</c> and <c>context.credential_proof</c>, so the server verifies, decides and
/// records it in one step), and <c>POST /v1/decisions/permitted</c> for lists and for requests that decide nothing.
/// The gateway authenticates as an enforcement point. Any failure to get an answer refuses (fail closed).
/// </summary>
internal sealed class DecisionPointClient(HttpClient http) : IGatewayDecisionPoint
{
    private static readonly MediaTypeHeaderValue JsonContentType = new("application/json") { CharSet = "utf-8" };

    /// <summary>Deny reasons that mean the credential itself is unusable: the agent gets 401, not a refusal.</summary>
    internal static readonly FrozenSet<string> CredentialReasons =
        new[] { "invalid_token", "subject_mismatch", "identity_inactive", "credential_unverifiable" }.ToFrozenSet(StringComparer.Ordinal);

    public static HttpClient CreateHttpClient(McpGatewayOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        // One client and one pool for the gateway's life: keep-alive connections, no cookie handling, no redirects.
        var client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), AllowAutoRedirect = false, UseCookies = false })
        {
            BaseAddress = options.Server,
            Timeout = options.DecisionTimeout,
        };
        var token = options.ServerToken ?? throw new ArgumentException("A gateway that asks a server over HTTP needs ServerToken.", nameof(options));
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        client.DefaultRequestHeaders.ExpectContinue = false;
        return client;
    }

    /// <inheritdoc />
    /// <remarks>The server records the gateway as the client (it is the one connecting); the agent's origin stays here.</remarks>
    public async Task<GatewayDecision> EvaluateAsync(
        AgentCredential credential, DpopForward? proof, GatewayRequestTarget target, JsonElement? arguments, GatewayRequestOrigin origin, CancellationToken cancellationToken)
    {
        using var response = await PostAsync(Mandate.Protocol.AuthZen.AuthZenPaths.Evaluation, EvaluationBody(credential, proof, target, arguments), cancellationToken);
        if (response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.RequestEntityTooLarge)
        {
            // The call itself cannot be decided (arguments over the decision point's context limit, an id too long):
            // a refusal naming why, not an outage.
            var (code, detail) = await ProblemAsync(response, cancellationToken);
            return new GatewayDecision(false, CredentialValid: true, code ?? "invalid_request", detail, null);
        }

        using var answer = await ReadAsync(response, cancellationToken);
        var root = answer.RootElement;
        var allowed = root.TryGetProperty("decision", out var decision) && decision.ValueKind == JsonValueKind.True;
        string? reason = null, description = null, decisionId = null;
        if (root.TryGetProperty("context", out var context) && context.ValueKind == JsonValueKind.Object)
        {
            reason = Text(context, "reason");
            description = Text(context, "reason_user");
            decisionId = Text(context, "decision_id");
        }

        if (!allowed && reason is not null && CredentialReasons.Contains(reason))
        {
            return GatewayDecision.Unauthenticated(reason, description);
        }

        return new GatewayDecision(allowed, CredentialValid: true, reason, description, decisionId);
    }

    /// <inheritdoc />
    public async Task<(GatewayDecision Credential, IReadOnlyList<bool> Permitted)> PermittedAsync(
        AgentCredential credential, DpopForward? proof, IReadOnlyList<GatewayRequestTarget> targets, GatewayRequestOrigin origin, CancellationToken cancellationToken)
    {
        using var response = await PostAsync("/v1/decisions/permitted", PermittedBody(credential, proof, targets), cancellationToken);
        using var answer = await ReadAsync(response, cancellationToken);
        var root = answer.RootElement;
        JsonElement? verdict = root.TryGetProperty("credential", out var given) && given.ValueKind == JsonValueKind.Object ? given : null;
        if (verdict is not { } alive || !alive.TryGetProperty("valid", out var valid) || valid.ValueKind != JsonValueKind.True)
        {
            return (GatewayDecision.Unauthenticated(
                (verdict is { } refused ? Text(refused, "reason") : null) ?? "invalid_token",
                verdict is { } described ? Text(described, "reason_user") : null), []);
        }

        var permitted = new List<bool>(targets.Count);
        if (root.TryGetProperty("permitted", out var items) && items.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in items.EnumerateArray())
            {
                permitted.Add(item.ValueKind == JsonValueKind.True);
            }
        }

        if (permitted.Count != targets.Count)
        {
            throw new DecisionPointException("the decision point answered a different number of items than asked");
        }

        return (new GatewayDecision(true, true, null, null, null), permitted);
    }

    /// <summary>The AuthZEN evaluation request, written once straight to UTF-8 (no document built and copied first).</summary>
    internal static byte[] EvaluationBody(AgentCredential credential, DpopForward? proof, GatewayRequestTarget target, JsonElement? arguments)
    {
        var buffer = new ArrayBufferWriter<byte>(1024 + credential.Token.Length);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            WriteSubject(json, credential);
            json.WriteStartObject("action");
            json.WriteString("name", target.Action);
            json.WriteEndObject();
            WriteResource(json, "resource", target);
            WriteContext(json, credential, proof, arguments);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The <c>/v1/decisions/permitted</c> request (an AuthZEN batch with the credential in its context), written once.</summary>
    internal static byte[] PermittedBody(AgentCredential credential, DpopForward? proof, IReadOnlyList<GatewayRequestTarget> targets)
    {
        var buffer = new ArrayBufferWriter<byte>(1024 + credential.Token.Length + (targets.Count * 192));
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            WriteSubject(json, credential);
            WriteContext(json, credential, proof, null);
            json.WriteStartArray("evaluations");
            foreach (var target in targets)
            {
                json.WriteStartObject();
                json.WriteStartObject("action");
                json.WriteString("name", target.Action);
                json.WriteEndObject();
                WriteResource(json, "resource", target);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteSubject(Utf8JsonWriter json, AgentCredential credential)
    {
        json.WriteStartObject("subject");
        json.WriteString("type", "Workload");
        json.WriteString("id", credential.ActingParty);
        json.WriteEndObject();
    }

    private static void WriteResource(Utf8JsonWriter json, string name, GatewayRequestTarget target)
    {
        json.WriteStartObject(name);
        json.WriteString("type", target.ResourceType);
        json.WriteString("id", target.ResourceId);
        if (target.Properties is { } properties)
        {
            json.WritePropertyName("properties");
            properties.WriteTo(json);
        }

        json.WriteEndObject();
    }

    private static void WriteContext(Utf8JsonWriter json, AgentCredential credential, DpopForward? proof, JsonElement? arguments)
    {
        json.WriteStartObject("context");
        json.WriteString("credential", credential.Token);
        if (proof is not null)
        {
            json.WriteStartObject("credential_proof");
            json.WriteString("dpop", proof.Proof);
            json.WriteString("htm", proof.Method);
            json.WriteString("htu", proof.Uri);
            json.WriteEndObject();
        }

        if (arguments is { ValueKind: not (JsonValueKind.Undefined or JsonValueKind.Null) } given)
        {
            json.WritePropertyName("arguments");
            given.WriteTo(json);
        }

        json.WriteEndObject();
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private async Task<HttpResponseMessage> PostAsync(string path, byte[] body, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = JsonContentType;
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

    private static async Task<JsonDocument> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
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

        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
        }
        catch (JsonException e)
        {
            throw new DecisionPointException("the decision point's answer is not JSON", e);
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            throw new DecisionPointException("the decision point's answer is not a JSON object");
        }

        return document;
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
internal sealed record GatewayRequestTarget(string Action, string ResourceType, string ResourceId, JsonObject? Properties);

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
