using System.Text.Json;
using Mandate.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Cli.Tests.Governance;

/// <summary><c>mandate identity import</c> and the imported identities in <c>mandate identity list</c>, against a real in-process server.</summary>
public sealed class IdentityImportCommandTests : IAsyncLifetime
{
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

    [Fact]
    public async Task Import_ShouldPrintTheDiff_NameBadRowsByFileAndLine_AndListTheImportedWithTheirSource()
    {
        var file = Path.Combine(directory, "inventory.csv");
        await File.WriteAllTextAsync(
            file,
            "source,external_id,kind,owner,credential_slot,credential_kind,credential_last_used_at\n"
            + "vault,approle/etl,service_account,team:data,secret-id,secret,2026-11-01T00:00:00Z\n"
            + "vault,approle/broken,not-a-kind,team:data,,,\n"
            + "vault,approle/ci,ci_pipeline,,,,\n",
            TestContext.Current.CancellationToken);

        var dry = await Run("identity", "import", file, "--format", "csv", "--dry-run");
        Assert.Equal(1, dry.Code);
        Assert.Contains("+ vault approle/etl", dry.Output, StringComparison.Ordinal);
        Assert.Contains("(nothing written)", dry.Output, StringComparison.Ordinal);
        Assert.Contains(file + ":3: kind:", dry.Error, StringComparison.Ordinal);

        var listedBefore = await Run("identity", "list", "--source", "vault");
        Assert.True(listedBefore.Code == 0, listedBefore.Error);
        Assert.Contains("0 identities", listedBefore.Output, StringComparison.Ordinal);

        var imported = await Run("identity", "import", file, "--format", "csv", "--owner", "team:fallback", "--json");
        Assert.Equal(1, imported.Code);
        var report = JsonDocument.Parse(imported.Output).RootElement;
        Assert.Equal(2, report.GetProperty("added").GetInt32());
        Assert.Equal(3, report.GetProperty("errors")[0].GetProperty("line").GetInt64());

        var list = await Run("identity", "list");
        Assert.True(list.Code == 0, list.Error);
        Assert.Contains("SOURCE", list.Output, StringComparison.Ordinal);
        Assert.Contains("approle/ci", list.Output, StringComparison.Ordinal);
        Assert.Contains("team:fallback", list.Output, StringComparison.Ordinal);
        Assert.Contains("spiffe://demo.mandate.local/svc/billing", list.Output, StringComparison.Ordinal);
        Assert.Contains("arn:aws:iam::111122223333:user/ci/ci-deployer", list.Output, StringComparison.Ordinal);

        var json = JsonDocument.Parse((await Run("identity", "list", "--source", "vault", "--json")).Output).RootElement;
        Assert.Empty(json.GetProperty("identities").EnumerateArray());
        Assert.Equal(["approle/ci", "approle/etl"], json.GetProperty("imported").EnumerateArray().Select(e => e.GetProperty("external_id").GetString()));

        var again = await Run("identity", "import", file, "--format", "csv", "--owner", "team:fallback");
        Assert.Contains("0 added, 0 changed, 2 unchanged", again.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_ShouldNameAMissingFile_AndRefuseAnUnknownFormat()
    {
        var missing = await Run("identity", "import", Path.Combine(directory, "absent.csv"), "--format", "csv");
        Assert.Equal(2, missing.Code);
        Assert.Contains("absent.csv: no such file", missing.Error, StringComparison.Ordinal);
        var format = await Run("identity", "import", Path.Combine(directory, "absent.csv"), "--format", "xlsx");
        Assert.Equal(2, format.Code);
    }
}
