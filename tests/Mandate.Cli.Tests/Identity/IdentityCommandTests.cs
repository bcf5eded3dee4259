using Mandate.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Cli.Tests.Identity;

/// <summary>The identity commands against a real in-process server on a loopback port.</summary>
public sealed class IdentityCommandTests : IAsyncLifetime
{
    private WebApplication app = null!;
    private string url = null!;
    private string tokenFile = null!;

    public async ValueTask InitializeAsync()
    {
        var state = Path.Combine(Path.GetTempPath(), "mandate-tests", Guid.NewGuid().ToString("N"));
        var options = new MandateServerOptions { Urls = "http://127.0.0.1:0", StateDirectory = state, Demo = true };
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
    public async Task AddListShowSuspendRevoke_ShouldDriveTheInventory()
    {
        var add = await Run("identity", "add", "spiffe://demo.mandate.local/svc/cli", "--kind", "workload", "--owner", "team:cli", "--purpose", "cli test", "--expires", "30d", "--label", "tier=gold", "--env", "staging");
        Assert.True(add.Code == 0, add.Error);
        Assert.Contains("active", add.Output, StringComparison.Ordinal);
        Assert.Contains("tier=gold", add.Output, StringComparison.Ordinal);

        var list = await Run("identity", "list", "--owner", "team:cli");
        Assert.Equal(0, list.Code);
        Assert.Contains("spiffe://demo.mandate.local/svc/cli", list.Output, StringComparison.Ordinal);
        Assert.Contains("1 identity", list.Output, StringComparison.Ordinal);

        var show = await Run("identity", "show", "spiffe://demo.mandate.local/svc/cli", "--json");
        Assert.Equal(0, show.Code);
        Assert.Contains("\"environment\": \"staging\"", show.Output, StringComparison.Ordinal);

        var suspend = await Run("identity", "suspend", "spiffe://demo.mandate.local/svc/cli", "--reason", "rotation drill");
        Assert.Equal(0, suspend.Code);
        Assert.Contains("suspended", suspend.Output, StringComparison.Ordinal);

        var revoke = await Run("identity", "revoke", "spiffe://demo.mandate.local/svc/cli");
        Assert.Equal(0, revoke.Code);
        Assert.Contains("revoked", revoke.Output, StringComparison.Ordinal);

        var suspendAgain = await Run("identity", "suspend", "spiffe://demo.mandate.local/svc/cli");
        Assert.Equal(1, suspendAgain.Code);
        Assert.Contains("identity-transition-refused", suspendAgain.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_ShouldShowTheDemoIdentities()
    {
        var list = await Run("identity", "list", "--label", "demo=true");
        Assert.Equal(0, list.Code);
        Assert.Contains("spiffe://demo.mandate.local/agent/support-assistant", list.Output, StringComparison.Ordinal);
        Assert.Contains("3 identities", list.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Add_ShouldReportTheServersRefusal_AndUsageErrors()
    {
        var bad = await Run("identity", "add", "spiffe://demo.mandate.local/a/../b", "--kind", "workload", "--owner", "o", "--purpose", "p", "--expires", "1d");
        Assert.Equal(1, bad.Code);
        Assert.Contains("invalid-spiffe-id", bad.Error, StringComparison.Ordinal);

        var missingOwner = await Run("identity", "add", "spiffe://demo.mandate.local/x", "--kind", "workload", "--purpose", "p", "--expires", "1d");
        Assert.Equal(2, missingOwner.Code);

        foreach (var expiry in new[] { "soon", "1/2/2027", "2027-01-02T00:00:00" })
        {
            // Neither a word, nor a culture-dependent date, nor a time without a zone is guessed at.
            var badExpiry = await Run("identity", "add", "spiffe://demo.mandate.local/x", "--kind", "workload", "--owner", "o", "--purpose", "p", "--expires", expiry);
            Assert.Equal(2, badExpiry.Code);
            Assert.Contains("--expires", badExpiry.Error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Commands_ShouldRefuseAWrongToken_AndAnUnreachableServer()
    {
        var wrongFile = Path.Combine(Path.GetDirectoryName(tokenFile)!, "wrong.token");
        await File.WriteAllTextAsync(wrongFile, "mdt_wrong", TestContext.Current.CancellationToken);
        var wrong = await Cli.RunAsync("identity", "list", "--server", url, "--token-file", wrongFile);
        Assert.Equal(3, wrong.Code);
        Assert.Contains("unauthenticated", wrong.Error, StringComparison.Ordinal);

        var unreachable = await Cli.RunAsync("identity", "list", "--server", "http://127.0.0.1:1", "--token-file", tokenFile);
        Assert.Equal(3, unreachable.Code);
        Assert.Contains("cannot reach", unreachable.Error, StringComparison.Ordinal);
    }
}
