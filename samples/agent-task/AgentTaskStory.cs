using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Mandate.Samples.AgentTask;

/// <summary>
/// The scripted story, against a Mandate server in demo mode and a gateway in front of the "tickets" and "admin" MCP
/// servers, over HTTP only: the orchestrator (the demo's support assistant) attests with a join token and opens a task
/// for the tickets tools; its sub-agent attests, exchanges the task credential (RFC 8693) for its own, reads a ticket
/// through the gateway (allowed), tries to send the summary outside the trust domain (denied by policy) and a tool
/// outside its task (denied, and repeated until detection raises its risk); the orchestrator completes the task; every
/// credential is dead at once; the sub-agent's timeline shows the chain hop by hop; the ledger verifies. Each step says
/// what happened and whether it is what should; the run fails when one is not.
/// </summary>
internal sealed class AgentTaskStory(Uri server, Uri gateway, string adminToken, TextWriter output)
{
    public const string Orchestrator = "spiffe://demo.mandate.local/agent/support-assistant";
    public const string SubAgent = "spiffe://demo.mandate.local/agent/ticket-summarizer";

    private readonly List<string> failures = [];

    public IReadOnlyList<string> Failures => failures;

    public async Task<bool> RunAsync(CancellationToken ct)
    {
        using var admin = Client(adminToken);

        await Step("0. the sub-agent is a registered identity", async () =>
        {
            using var response = await admin.PostAsJsonAsync("/v1/identities", new { spiffe_id = SubAgent, kind = "agent", owner = "team:support", purpose = "summarizes support tickets for the support assistant", environment = "production", ttl_seconds = 30 * 86400 }, ct);
            return response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.Conflict ? "registered" : Fail(await response.Content.ReadAsStringAsync(ct));
        });

        var orchestratorSvid = await AttestAsync(admin, Orchestrator, "1. the orchestrator attests with a one-time join token", ct);
        var subAgentSvid = await AttestAsync(admin, SubAgent, "2. the sub-agent attests the same way", ct);

        string taskId = string.Empty, taskToken = string.Empty;
        await Step("3. the orchestrator opens a task for the tickets tools, naming the sub-agent as its delegate", async () =>
        {
            using var orchestrator = Client(orchestratorSvid);
            using var response = await orchestrator.PostAsJsonAsync("/v1/tasks", new
            {
                intent = new
                {
                    description = "Summarize ticket T-1001 for the customer",
                    actions = new[] { "read", "write" },
                    resources = new[] { "McpTool::\"tickets/*\"" },
                    sensitivity_ceiling = "low",
                    destinations = Array.Empty<string>(),
                    delegates = new[] { SubAgent },
                },
                ttl_seconds = 600,
            }, ct);
            var body = await Json(response, ct);
            taskId = body.GetProperty("task").GetProperty("id").GetString()!;
            taskToken = body.GetProperty("credential").GetProperty("access_token").GetString()!;
            return $"task {taskId}";
        });

        var delegated = string.Empty;
        await Step("4. the sub-agent exchanges the task credential for its own (RFC 8693): act = the sub-agent", async () =>
        {
            using var subAgent = Client(subAgentSvid);
            using var response = await subAgent.PostAsync("/oauth2/token", new FormUrlEncodedContent(
            [
                new("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange"),
                new("subject_token", taskToken),
                new("subject_token_type", "urn:ietf:params:oauth:token-type:access_token"),
                new("actor_token", subAgentSvid),
                new("actor_token_type", "urn:ietf:params:oauth:token-type:jwt"),
            ]), ct);
            delegated = (await Json(response, ct)).GetProperty("access_token").GetString()!;
            return "delegated credential issued";
        });

        await using (var tickets = await ConnectAsync("tickets", delegated, ct))
        await using (var adminTools = await ConnectAsync("admin", delegated, ct))
        {
            await Step("5. the sub-agent reads a ticket through the gateway: allowed", async () =>
            {
                var tools = (await tickets.ListToolsAsync(cancellationToken: ct)).Select(t => t.Name).ToList();
                var read = await tickets.CallToolAsync("read_ticket", new Dictionary<string, object?> { ["id"] = "T-1001" }, cancellationToken: ct);
                var text = read.Content.OfType<TextContentBlock>().FirstOrDefault()?.Text;
                return read.IsError != true && text is not null && tools.Contains("read_ticket") && !tools.Contains("send_summary")
                    ? $"tools it may call: {string.Join(", ", tools)}; read: {text}"
                    : Fail($"tools {string.Join(", ", tools)}, result {text}");
            });

            await Step("6. it tries to send the summary outside the trust domain: denied", async () =>
                await Refused(tickets, "send_summary", new() { ["destination"] = "https://paste.example.com/new", ["text"] = "customer cannot log in" }, ct));

            await Step("7. it tries a tool outside its task, again and again: denied, and detection raises its risk", async () =>
            {
                string last = string.Empty;
                for (var i = 0; i < 10; i++)
                {
                    last = await Refused(adminTools, "delete_user", new() { ["user"] = "alice" }, ct);
                }

                for (var i = 0; i < 100; i++)
                {
                    var risk = JsonDocument.Parse(await admin.GetStringAsync($"/v1/risk/{Uri.EscapeDataString(SubAgent)}", ct)).RootElement;
                    if (risk.TryGetProperty("score", out var score) && score.GetInt32() >= 80)
                    {
                        return $"{last} — risk of the sub-agent now {score.GetInt32()} ({risk.GetProperty("level").GetString()})";
                    }

                    await Task.Delay(100, ct);
                }

                return Fail("the sub-agent's risk was never raised");
            });

            await Step("8. with that risk even a read is refused now", async () =>
                await Refused(tickets, "read_ticket", new() { ["id"] = "T-1001" }, ct));
        }

        await Step("9. the orchestrator completes the task", async () =>
        {
            using var orchestrator = Client(orchestratorSvid);
            using var response = await orchestrator.PostAsync($"/v1/tasks/{taskId}/complete", null, ct);
            var body = await Json(response, ct);
            return $"completed; credentials revoked with it: {body.GetProperty("revoked_credentials").GetInt32()}";
        });

        await Step("10. every credential of the task is dead at once", async () =>
        {
            var states = new List<string>();
            foreach (var (name, token) in new[] { ("task credential", taskToken), ("delegated credential", delegated) })
            {
                using var response = await admin.PostAsync("/oauth2/introspect", new FormUrlEncodedContent([new("token", token)]), ct);
                states.Add($"{name}: active={(await Json(response, ct)).GetProperty("active").GetBoolean()}");
            }

            var gatewayStatus = await GatewayStatusAsync(delegated, ct);
            states.Add($"gateway answers the sub-agent {(int)gatewayStatus}");
            return states.All(s => s.EndsWith("active=False", StringComparison.Ordinal) || s.EndsWith("401", StringComparison.Ordinal)) && gatewayStatus == HttpStatusCode.Unauthorized
                ? string.Join("; ", states)
                : Fail(string.Join("; ", states));
        });

        await Step("11. the sub-agent's timeline shows the chain hop by hop", async () =>
        {
            var timeline = await admin.GetStringAsync($"/v1/identities/{Uri.EscapeDataString(SubAgent)}/timeline", ct);
            return timeline.Contains(Orchestrator, StringComparison.Ordinal) && timeline.Contains("McpTool::", StringComparison.Ordinal)
                ? $"{JsonDocument.Parse(timeline).RootElement.GetProperty("events").GetArrayLength()} events, {JsonDocument.Parse(timeline).RootElement.GetProperty("delegations").GetArrayLength()} delegation(s) from {Orchestrator}, the tool calls decided"
                : Fail("the timeline does not show the chain and the tool calls");
        });

        await Step("12. the ledger verifies", async () =>
        {
            var verify = JsonDocument.Parse(await admin.GetStringAsync("/v1/audit/verify", ct)).RootElement;
            return verify.GetProperty("verified").GetBoolean()
                ? $"{verify.GetProperty("events").GetInt64()} events, hash chain intact"
                : Fail("the ledger does not verify");
        });

        await output.WriteLineAsync(failures.Count == 0 ? "The story held at every step." : $"{failures.Count} step(s) did not go as they should.");
        return failures.Count == 0;
    }

    private async Task<string> AttestAsync(HttpClient admin, string spiffeId, string title, CancellationToken ct)
    {
        var svid = string.Empty;
        await Step(title, async () =>
        {
            using var join = await admin.PostAsJsonAsync("/v1/attest/join-tokens", new { spiffe_id = spiffeId, ttl_seconds = 300 }, ct);
            var token = (await Json(join, ct)).GetProperty("token").GetString();
            using var anonymous = Client(null);
            using var attested = await anonymous.PostAsJsonAsync("/v1/attest/join", new { token }, ct);
            svid = (await Json(attested, ct)).GetProperty("token").GetString()!;
            return "JWT-SVID for " + spiffeId;
        });
        return svid;
    }

    private static async Task<string> Refused(McpClient client, string tool, Dictionary<string, object?> arguments, CancellationToken ct)
    {
        try
        {
            await client.CallToolAsync(tool, arguments, cancellationToken: ct);
            return Fail($"{tool} was allowed");
        }
        catch (McpProtocolException e)
        {
            return e.Message;
        }
    }

    private async Task<HttpStatusCode> GatewayStatusAsync(string token, CancellationToken ct)
    {
        using var client = Client(token);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(gateway, "/tickets/mcp"))
        {
            Content = new StringContent("""{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{}}""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        using var response = await client.SendAsync(request, ct);
        return response.StatusCode;
    }

    private async Task<McpClient> ConnectAsync(string upstream, string token, CancellationToken ct) =>
        await McpClient.CreateAsync(
            new HttpClientTransport(new HttpClientTransportOptions
            {
                Endpoint = new Uri(gateway, $"/{upstream}/mcp"),
                TransportMode = HttpTransportMode.StreamableHttp,
                AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer " + token },
            }),
            cancellationToken: ct);

    private async Task Step(string title, Func<Task<string>> run)
    {
        await output.WriteLineAsync(title);
        string outcome;
        try
        {
            outcome = await run();
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or McpException or KeyNotFoundException or InvalidOperationException)
        {
            outcome = Fail(e.Message);
        }

        if (outcome.StartsWith(FailurePrefix, StringComparison.Ordinal))
        {
            failures.Add(title + ": " + outcome[FailurePrefix.Length..]);
        }

        await output.WriteLineAsync("   " + outcome);
    }

    private const string FailurePrefix = "NOT AS IT SHOULD: ";

    private static string Fail(string why) => FailurePrefix + why;

    private static async Task<JsonElement> Json(HttpResponseMessage response, CancellationToken ct)
    {
        var body = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{(int)response.StatusCode} from {response.RequestMessage?.RequestUri?.AbsolutePath}: {body}");
        }

        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private HttpClient Client(string? bearer)
    {
        var client = new HttpClient { BaseAddress = server, Timeout = TimeSpan.FromSeconds(30) };
        if (bearer is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return client;
    }
}
