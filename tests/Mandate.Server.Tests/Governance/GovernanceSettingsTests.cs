using System.Net.Http.Json;
using System.Text.Json;
using Mandate.Server.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace Mandate.Server.Tests.Governance;

/// <summary>The <c>Mandate:Governance</c> settings that shape broad_policy reach the findings, and a bad window stops the server.</summary>
public sealed class GovernanceSettingsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task WriteAndReadOnlyActions_ShouldOverrideTheNames_ForBroadPolicy()
    {
        await using var server = await MandateTestServer.StartAsync(configureBuilder: b =>
        {
            b.Configuration["Mandate:Governance:WriteActions:0"] = "OpenTask";
            b.Configuration["Mandate:Governance:ReadOnlyActions:0"] = "write";
        });
        using var admin = server.CreateAdminClient();
        var body = await admin.GetFromJsonAsync<JsonElement>(new Uri("/v1/findings?kind=broad_policy", UriKind.Relative), Ct);
        var finding = Assert.Single(body.GetProperty("findings").EnumerateArray());
        Assert.Equal("open-tasks-up-to-medium", finding.GetProperty("evidence")[0].GetProperty("id").GetString());
        Assert.Equal(("high", "*"), (finding.GetProperty("severity").GetString(), finding.GetProperty("identity").GetString()));
    }

    [Fact]
    public async Task NonPositiveGrantWindow_ShouldStopTheServer_NamingTheSetting()
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(async () =>
        {
            await using var server = await MandateTestServer.StartAsync(configureBuilder: b => b.Configuration["Mandate:Governance:GrantWindow"] = "-1.00:00:00");
        });
        Assert.Contains("Mandate:Governance:GrantWindow", failure.Message, StringComparison.Ordinal);
    }
}
