using System.Text.Json;
using Mandate.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Cli.Tests.Governance;

/// <summary><c>mandate compliance report</c> and <c>mandate findings</c> for the new kinds, against a real in-process demo server.</summary>
public sealed class ComplianceCommandTests : IAsyncLifetime
{
    private WebApplication app = null!;
    private string url = null!;
    private string tokenFile = null!;

    public async ValueTask InitializeAsync()
    {
        var directory = Path.Combine(Path.GetTempPath(), "mandate-tests", Guid.NewGuid().ToString("N"));
        var options = new MandateServerOptions { Urls = "http://127.0.0.1:0", StateDirectory = Path.Combine(directory, "state"), Demo = true };
        app = await MandateServer.CreateAsync(options, cancellationToken: TestContext.Current.CancellationToken);
        await app.StartAsync(TestContext.Current.CancellationToken);
        url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        tokenFile = options.AdminTokenPath;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private Task<(int Code, string Output, string Error)> Run(params string[] args) => Cli.RunAsync([.. args, "--server", url, "--token-file", tokenFile]);

    [Fact]
    public async Task Report_ShouldPrintATable_Json_Markdown_AndHtml_AndRefuseAnUnknownFormat()
    {
        var table = await Run("compliance", "report");
        Assert.True(table.Code == 0, table.Error);
        Assert.Contains("NHI5:2025", table.Output, StringComparison.Ordinal);
        Assert.Matches(@"49 controls: met \d+, partial \d+, not_met \d+, not_measured \d+", table.Output);

        var json = await Run("compliance", "report", "--format", "json");
        Assert.Equal(0, json.Code);
        Assert.Equal(49, JsonDocument.Parse(json.Output).RootElement.GetProperty("controls").GetArrayLength());

        var md = await Run("compliance", "report", "--format", "md");
        Assert.Equal(0, md.Code);
        Assert.StartsWith("# Mandate compliance report", md.Output, StringComparison.Ordinal);
        Assert.Contains("## CSA MAESTRO", md.Output, StringComparison.Ordinal);

        var html = await Run("compliance", "report", "--format", "html");
        Assert.StartsWith("<!DOCTYPE html>", html.Output, StringComparison.Ordinal);

        var bad = await Run("compliance", "report", "--format", "pdf");
        Assert.Equal(2, bad.Code);
    }

    [Fact]
    public async Task Findings_ShouldListBroadPolicies_WithThePolicyAsEvidence()
    {
        var listed = await Run("findings", "--kind", "broad_policy", "--json");
        Assert.True(listed.Code == 0, listed.Error);
        var policies = JsonDocument.Parse(listed.Output).RootElement.GetProperty("findings").EnumerateArray()
            .SelectMany(f => f.GetProperty("evidence").EnumerateArray()).Where(e => e.GetProperty("kind").GetString() == "policy")
            .Select(e => e.GetProperty("id").GetString()).Order(StringComparer.Ordinal);
        // support-mcp-write-in-write-task is broad by design: any MCP tool, narrowed at run time by the task intent (docs/mcp-gateway.md).
        Assert.Equal(["billing-invoices", "support-mcp-write-in-write-task", "support-write-tickets"], policies);
    }
}
