using System.Net;
using System.Text;
using System.Text.Json;
using Mandate.Server.Tests.Infrastructure;
using Mandate.Tests.Shared;

namespace Mandate.Server.Tests.Http;

/// <summary>
/// A JSON body with a <c>Content-Length</c> within its limit is read whole from the request's pipe and parsed in one go:
/// it must read exactly like the stream did, whether it arrives at once, in pieces, or larger than one buffer, and refuse
/// what the stream refused (anything after the JSON value, a truncated value) with the same problems.
/// </summary>
public sealed class KnownLengthBodyTests : IAsyncDisposable
{
    private const string Evaluation = """{"subject":{"type":"Workload","id":"spiffe://demo.mandate.local/agent/support-assistant"},"action":{"name":"read"},"resource":{"type":"Dataset","id":"kb-articles"}""";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private MandateTestServer? server;

    public async ValueTask DisposeAsync()
    {
        if (server is not null)
        {
            await server.DisposeAsync();
        }
    }

    private async Task<HttpResponseMessage> PostAsync(HttpContent content)
    {
        server ??= await MandateTestServer.StartAsync(o => o.Demo = true);
        return await server.Client.PostAsync("/access/v1/evaluation", content, Ct);
    }

    [Fact]
    public async Task ABodyArrivingInPieces_ShouldBeReadWhole()
    {
        using var response = await PostAsync(new PiecewiseContent(Evaluation + "}", pieces: 4));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("decision").ValueKind, new[] { JsonValueKind.True, JsonValueKind.False });
    }

    [Fact]
    public async Task ABodyLargerThanOneBuffer_ShouldBeReadWhole()
    {
        // Context padding spreads the body over several of the server's buffers.
        var padded = Evaluation + ",\"context\":{\"note\":\"" + new string('x', 20_000) + "\"}}";
        using var response = await PostAsync(new PiecewiseContent(padded, pieces: 3));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("}{}")]
    [InlineData("} trailing")]
    [InlineData("")]
    public async Task ABodyThatIsNotOneJsonValue_ShouldBeAProblem(string ending)
    {
        using var response = await PostAsync(new StringContent(Evaluation + ending, Encoding.UTF8, "application/json"));
        var problem = await ProblemAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "malformed-json");
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("detail").GetString()));
    }

    /// <summary>A JSON body with its <c>Content-Length</c>, sent in <c>pieces</c> writes with a pause between them.</summary>
    private sealed class PiecewiseContent : HttpContent
    {
        private readonly byte[] body;
        private readonly int pieces;

        public PiecewiseContent(string json, int pieces)
        {
            body = Encoding.UTF8.GetBytes(json);
            this.pieces = pieces;
            Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var size = (body.Length + pieces - 1) / pieces;
            for (var offset = 0; offset < body.Length; offset += size)
            {
                await stream.WriteAsync(body.AsMemory(offset, Math.Min(size, body.Length - offset)));
                await stream.FlushAsync();
                await Task.Delay(20);
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = body.Length;
            return true;
        }
    }
}
