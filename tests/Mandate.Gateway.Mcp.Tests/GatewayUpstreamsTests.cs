using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mandate.Gateway.Mcp.Tests;

/// <summary>Which upstream an endpoint path names (the routing the enforcement middleware starts with).</summary>
public sealed class GatewayUpstreamsTests
{
    [Theory]
    [InlineData("/files/mcp", "files")]
    [InlineData("/files/mcp/", "files")]
    [InlineData("/files/mcp//", "files")]
    [InlineData("/tickets/mcp", "tickets")]
    [InlineData("/mcp", null)]
    [InlineData("/Files/mcp", null)]
    [InlineData("/files/mcp/x", null)]
    [InlineData("/files", null)]
    [InlineData("/", null)]
    [InlineData("", null)]
    public async Task SeveralUpstreams_AreEachAtTheirOwnEndpointOnly(string path, string? expected)
    {
        await using var upstreams = Upstreams("files", "tickets");
        Assert.Equal(expected, upstreams.ForPath(new PathString(path.Length == 0 ? null : path))?.Name);
    }

    [Theory]
    [InlineData("/mcp", "files")]
    [InlineData("/mcp/", "files")]
    [InlineData("/files/mcp", "files")]
    [InlineData("/other/mcp", null)]
    public async Task OneUpstream_IsAlsoAtTheSingleEndpoint(string path, string? expected)
    {
        await using var upstreams = Upstreams("files");
        Assert.Equal(expected, upstreams.ForPath(new PathString(path))?.Name);
    }

    private static GatewayUpstreams Upstreams(params string[] names) =>
        new(names.Select(n => new UpstreamServer(new UpstreamOptions { Name = n, Url = new Uri("http://127.0.0.1:9/mcp") }, new GatewayLimits(), NullLoggerFactory.Instance)).ToList());
}
