using Mandate.Gateway.Mcp.TestUpstream;

// stdio by default; "--http URL" serves Streamable HTTP at URL/mcp instead. TEST_UPSTREAM_NOTES names the directory
// write_note writes into (so a test can see whether a refused write reached the upstream).
if (args.Length == 2 && args[0] == "--http")
{
    var web = WebApplication.CreateSlimBuilder();
    web.WebHost.UseUrls(args[1]);
    web.Logging.ClearProviders();
    web.Services.AddMcpServer().WithHttpTransport(t => t.Stateless = true).WithTools<UpstreamTools>().WithResources<UpstreamResources>().WithPrompts<UpstreamPrompts>();
    var app = web.Build();
    app.MapMcp("/mcp");
    await app.RunAsync();
    return;
}

var builder = Host.CreateApplicationBuilder();
builder.Logging.ClearProviders();
builder.Services.AddMcpServer().WithStdioServerTransport().WithTools<UpstreamTools>().WithResources<UpstreamResources>().WithPrompts<UpstreamPrompts>();
await builder.Build().RunAsync();
