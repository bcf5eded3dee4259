using System.Text.Json;
using Mandate.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Cli.Tests.Exceptions;

/// <summary>
/// <c>mandate exception</c> and <c>mandate breakglass</c> against a real in-process server: request, a refused
/// self-approval, approval by another operator, the decision it permits, revocation; and a break-glass grant.
/// </summary>
public sealed class ExceptionCommandTests : IAsyncLifetime
{
    private const string Billing = "spiffe://demo.mandate.local/svc/billing";

    private WebApplication app = null!;
    private string url = null!;
    private string tokenFile = null!;
    private string directory = null!;

    public async ValueTask InitializeAsync()
    {
        directory = Path.Combine(Path.GetTempPath(), "mandate-tests", Guid.NewGuid().ToString("N"));
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

    private Task<(int Code, string Output, string Error)> RunAs(string token, params string[] args) => Cli.RunAsync([.. args, "--server", url, "--token-file", token]);

    private static void Ok((int Code, string Output, string Error) result) => Assert.True(result.Code == 0, $"exit {result.Code}: {result.Output}{result.Error}");

    private async Task<string> OperatorAsync(string name, params string[] roles)
    {
        var token = Path.Combine(directory, name + ".token");
        Ok(await Run(["operator", "add", name, .. roles.SelectMany(r => new[] { "--role", r })]));
        Ok(await Run("operator", "token", "create", name, "--output", token));
        return token;
    }

    [Fact]
    public async Task Exception_ShouldRunFromTheCli_RequestApproveRevoke_AndBreakGlass()
    {
        var security = await OperatorAsync("cli-sec", "security", "approver");
        var approver = await OperatorAsync("cli-ap", "approver");
        string[] grant = ["--identity", Billing, "--action", "read", "--resource", "Ticket::\"T-1001\""];

        Assert.Equal(2, (await RunAs(security, ["exception", "request", .. grant, "--reason", "no ttl"])).Code);
        Assert.Equal(2, (await RunAs(security, ["exception", "request", .. grant, "--ttl", "soon", "--reason", "bad ttl"])).Code);
        var tooLong = await RunAs(security, ["exception", "request", .. grant, "--ttl", "25h", "--reason", "too long"]);
        Assert.Equal(1, tooLong.Code);
        Assert.Contains("exception-invalid", tooLong.Error, StringComparison.Ordinal);

        var requested = await RunAs(security, ["exception", "request", .. grant, "--ttl", "2h", "--reason", "INC-7: read the disputed ticket", "--json"]);
        Ok(requested);
        var id = JsonDocument.Parse(requested.Output).RootElement.GetProperty("id").GetString()!;

        var self = await RunAs(security, "exception", "approve", id);
        Assert.Equal(1, self.Code);
        Assert.Contains("separation-of-duties", self.Error, StringComparison.Ordinal);
        var approved = await RunAs(approver, "exception", "approve", id);
        Ok(approved);
        Assert.Contains("operator:cli-ap", approved.Output, StringComparison.Ordinal);

        var listed = await Run("exception", "list", "--status", "active");
        Ok(listed);
        Assert.Contains(id, listed.Output, StringComparison.Ordinal);
        var shown = await Run("exception", "show", id, "--json");
        Ok(shown);
        Assert.Contains("@exception", JsonDocument.Parse(shown.Output).RootElement.GetProperty("policy").GetString(), StringComparison.Ordinal);

        Assert.Equal(2, (await RunAs(security, "exception", "revoke", id)).Code);
        Ok(await RunAs(security, "exception", "revoke", id, "--reason", "INC-7 closed"));
        var again = await RunAs(security, "exception", "revoke", id, "--reason", "twice");
        Assert.Equal(1, again.Code);
        Assert.Contains("exception-conflict", again.Error, StringComparison.Ordinal);

        var tooLongGlass = await RunAs(security, ["breakglass", .. grant, "--ttl", "2h", "--reason", "SEV1"]);
        Assert.Equal(1, tooLongGlass.Code);
        var byApprover = await RunAs(approver, ["breakglass", .. grant, "--reason", "SEV1"]);
        Assert.Equal(3, byApprover.Code);
        var glass = await RunAs(security, ["breakglass", .. grant, "--ttl", "30m", "--reason", "SEV1: invoices stuck", "--json"]);
        Ok(glass);
        var broken = JsonDocument.Parse(glass.Output).RootElement;
        Assert.Equal(("breakglass", "active", 1800L), (broken.GetProperty("kind").GetString(), broken.GetProperty("status").GetString(), broken.GetProperty("ttl_seconds").GetInt64()));
        var alerts = await Run("alerts", "--rule", "breakglass", "--json");
        Assert.Contains(broken.GetProperty("id").GetString()!, alerts.Output, StringComparison.Ordinal);
    }
}
