using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Gateway.Mcp.Tests;

/// <summary>
/// The gateway answers a plain <c>tools/call</c> itself, without the SDK's per-request server
/// (<see cref="GatewayToolCallAnswer"/>). Its answers must be the SDK's own: the same calls, over real HTTP, are sent to
/// the gateway and to a second gateway that leaves every call to the SDK, in front of the same server, and the status,
/// headers and body must be equal (decision ids aside), for every protocol revision, allowed, refused and failed calls.
/// </summary>
public sealed partial class GatewayToolCallAnswerTests : IAsyncLifetime
{
    private const string July2026 = "2026-07-28";

    private readonly string notes = Directory.CreateTempSubdirectory("mandate-gateway-direct-").FullName;
    private GatewayEstate estate = null!;
    private Uri sdkOnly = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        estate = await GatewayEstate.StartAsync([GatewayEstate.StdioUpstream("notes", notes)]);
        sdkOnly = await estate.StartSdkOnlyGatewayAsync([GatewayEstate.StdioUpstream("notes", notes)]);
    }

    public async ValueTask DisposeAsync()
    {
        await estate.DisposeAsync();
        Directory.Delete(notes, recursive: true);
    }

    [Fact]
    public async Task DirectAnswers_AreTheSdksAnswers_ForEveryRevision_AllowedRefusedAndFailed()
    {
        var (_, reader) = await estate.OpenTaskAsync(["read"]);
        var (_, writer) = await estate.OpenTaskAsync(["read", "write"]);
        var counts = estate.GatewayServices.GetRequiredService<GatewayCallCounts>();

        (string Body, string? Version, string Token)[] calls =
        [
            (Call(2, "echo", """{"text":"hi"}"""), null, reader),
            (Call(3, "echo", """{"text":"hi"}"""), "2025-11-25", reader),
            (Call(4, "echo", """{"text":"hi"}""", July2026), July2026, reader),
            (Call("\"a-string-id\"", "echo", """{"text":"ünïcode"}""", July2026), July2026, reader),
            (Call(5, "write_note", """{"name":"n.txt","text":"x"}"""), null, reader),
            (Call(6, "write_note", """{"name":"n.txt","text":"x"}""", July2026), July2026, reader),
            (Call(7, "no_such_tool", "{}"), null, writer),
            (Call(8, "no_such_tool", "{}", July2026), July2026, writer),
            (Call(9, "echo", "{}"), null, reader),
            (Call(10, "big", """{"size":3}""", July2026), July2026, reader),
        ];

        foreach (var (body, version, token) in calls)
        {
            var direct = await SendAsync(estate.GatewayAddress, body, version, token, name: null);
            var sdk = await SendAsync(sdkOnly, body, version, token, name: null);
            Assert.Equal(sdk, direct);
        }

        Assert.Equal(calls.Length, counts.AnsweredDirectly);
        Assert.False(File.Exists(Path.Combine(notes, "n.txt")), "a refused call must never reach the upstream");
    }

    [Fact]
    public async Task UpstreamErrors_OfEveryKind_AreAnsweredAsTheSdkAnswersThem()
    {
        // The SDK's special error types (URL elicitation required, a missing client capability, an unsupported protocol
        // version: each with its own error data, and under the per-request revision its own HTTP status), a protocol
        // error carrying data, one that maps to 404, the SDK's plain McpException, and an unexpected exception (a tool
        // result with isError), as the upstream answers them: the direct answer must be the SDK's, for both revisions.
        var (_, writer) = await estate.OpenTaskAsync(["read", "write"]);
        var counts = estate.GatewayServices.GetRequiredService<GatewayCallCounts>();
        string[] kinds = ["url_elicitation", "missing_capability", "unsupported_version", "invalid_params", "method_not_found", "mcp", "unexpected"];
        var id = 20;
        foreach (var kind in kinds)
        {
            foreach (var revision in new[] { null, "2025-11-25", July2026 })
            {
                var body = Call(id++, "fail", "{\"kind\":\"" + kind + "\"}", revision == July2026 ? July2026 : null);
                var direct = await SendAsync(estate.GatewayAddress, body, revision, writer, name: null);
                var sdk = await SendAsync(sdkOnly, body, revision, writer, name: null);
                Assert.Equal(sdk, direct);
                Assert.DoesNotContain("Mandate refused", direct, StringComparison.Ordinal);
            }
        }

        Assert.Equal(kinds.Length * 3, counts.AnsweredDirectly);
    }

    [Fact]
    public async Task CallsTheSdkWouldLookAtCloser_AreLeftToIt_AndAnsweredAlike()
    {
        var (_, token) = await estate.OpenTaskAsync(["read"]);
        var counts = estate.GatewayServices.GetRequiredService<GatewayCallCounts>();

        // Mcp-Name that does not match the body, a base64-encoded one, the per-request revision without its _meta, and
        // the body declaring that revision without the header: the SDK refuses or checks each (400), the same way for both.
        (string Body, string? Version, string? Name)[] calls =
        [
            (Call(2, "echo", """{"text":"hi"}""", July2026), July2026, "pid"),
            (Call(3, "echo", """{"text":"hi"}""", July2026), July2026, "=?base64?ZWNobw==?="),
            (Call(4, "echo", """{"text":"hi"}"""), July2026, null),
            (Call(5, "echo", """{"text":"hi"}""", July2026), null, null),
        ];

        foreach (var (body, version, name) in calls)
        {
            var direct = await SendAsync(estate.GatewayAddress, body, version, token, name);
            var sdk = await SendAsync(sdkOnly, body, version, token, name);
            Assert.Equal(sdk, direct);
        }

        Assert.Equal(0, counts.AnsweredDirectly);
    }

    [Fact]
    public async Task OddCalls_AreAnsweredAlike()
    {
        var (_, token) = await estate.OpenTaskAsync(["read"]);
        string[] bodies =
        [
            """{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","name":"pid","arguments":{}}}""",
            """{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"echo","arguments":{"text":"a"},"task":{"ttl":1000}}}""",
            """{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"echo","arguments":"not an object"}}""",
            """{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"","arguments":{}}}""",
            """{"jsonrpc":"2.0","id":null,"method":"tools/call","params":{"name":"echo","arguments":{}}}""",
            """{"jsonrpc":"1.0","id":6,"method":"tools/call","params":{"name":"echo","arguments":{}}}""",
            """{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"echo","arguments":{"text":"a"},"_meta":{"io.modelcontextprotocol/logLevel":"debug"}}}""",
            """{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"echo","arguments":{"text":"a"},"_meta":{"progressToken":"p1"}}}""",
        ];

        foreach (var body in bodies)
        {
            var direct = await SendAsync(estate.GatewayAddress, body, null, token, name: null);
            var sdk = await SendAsync(sdkOnly, body, null, token, name: null);
            Assert.Equal(sdk, direct);
        }
    }

    [Fact]
    public async Task ArgumentsWithADuplicateKey_AreRefused_AndNeverReachTheUpstream()
    {
        // Argument smuggling: a policy may constrain arguments (a path prefix), and a JSON object with one key twice could
        // be decided on one value and forwarded with the other. The decision point refuses such arguments outright, so
        // neither gateway path forwards them.
        var (_, writer) = await estate.OpenTaskAsync(["read", "write"]);
        var body = Call(2, "write_note", """{"name":"first.txt","name":"second.txt","text":"x"}""");
        foreach (var gateway in new[] { estate.GatewayAddress, sdkOnly })
        {
            var answer = await SendAsync(gateway, body, null, writer, name: null);
            // The JSON-RPC error as the agent reads it (the SDK writes the quotes as \u0027).
            Assert.True(answer.Contains(@"Mandate refused tools/call of \u0027write_note\u0027: malformed-json", StringComparison.Ordinal), answer);
            Assert.Contains("Duplicate property", answer, StringComparison.Ordinal);
        }

        Assert.False(File.Exists(Path.Combine(notes, "first.txt")), "a call with a duplicate argument key must never reach the upstream");
        Assert.False(File.Exists(Path.Combine(notes, "second.txt")), "a call with a duplicate argument key must never reach the upstream");

        // The same call without the duplicate is allowed and written: the refusal above is the duplicate's, not the task's.
        var plain = await SendAsync(estate.GatewayAddress, Call(3, "write_note", """{"name":"second.txt","text":"x"}"""), null, writer, name: null);
        Assert.DoesNotContain("Mandate refused", plain, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(notes, "second.txt")));
    }

    private static string Call(object id, string tool, string arguments, string? revision = null)
    {
        var meta = revision is null
            ? string.Empty
            : ",\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"" + revision + "\",\"io.modelcontextprotocol/clientCapabilities\":{}}";
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool + "\",\"arguments\":" + arguments + meta + "}}";
    }

    /// <summary>Status, the headers an MCP client reads, and the body with decision ids (unique per call) blanked.</summary>
    private static async Task<string> SendAsync(Uri gateway, string body, string? version, string token, string? name)
    {
        using var client = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(gateway, "/mcp")) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (version is not null)
        {
            request.Headers.Add("MCP-Protocol-Version", version);
            request.Headers.Add("Mcp-Method", "tools/call");
            request.Headers.Add("Mcp-Name", name ?? System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("params").GetProperty("name").GetString());
        }

        using var response = await client.SendAsync(request, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        return string.Join(
            '\n',
            (int)response.StatusCode,
            response.Content.Headers.ContentType,
            response.Headers.CacheControl,
            string.Join(',', response.Content.Headers.ContentEncoding),
            DecisionId().Replace(text, "d_…"));
    }

    [GeneratedRegex("d_[A-Za-z0-9_-]+")]
    private static partial Regex DecisionId();
}
