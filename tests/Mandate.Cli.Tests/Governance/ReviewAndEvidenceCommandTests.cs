using System.Text.Json;
using System.Text.Json.Nodes;
using Mandate.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Cli.Tests.Governance;

/// <summary>
/// <c>mandate review</c>, <c>mandate offboard</c> and <c>mandate evidence verify|show</c> against a real in-process
/// server: a whole review from the CLI, and an evidence pack that verifies offline until any byte of a field, a proof
/// or the signature changes.
/// </summary>
public sealed class ReviewAndEvidenceCommandTests : IAsyncLifetime
{
    private WebApplication app = null!;
    private string url = null!;
    private string tokenFile = null!;
    private string directory = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        directory = Path.Combine(Path.GetTempPath(), "mandate-tests", Guid.NewGuid().ToString("N"));
        var options = new MandateServerOptions { Urls = "http://127.0.0.1:0", StateDirectory = Path.Combine(directory, "state"), Demo = true };
        app = await MandateServer.CreateAsync(options, cancellationToken: Ct);
        await app.StartAsync(Ct);
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

    [Fact]
    public async Task Review_ShouldRunFromTheCli_StartDecideAndReport()
    {
        var reviewerToken = Path.Combine(directory, "rv.token");
        Ok(await Run("operator", "add", "cli-rv", "--role", "reviewer"));
        Ok(await Run("operator", "token", "create", "cli-rv", "--output", reviewerToken));

        Assert.Equal(2, (await Run("review", "start", "--reviewer", "cli-rv", "--due", "14d")).Code);
        Assert.Equal(2, (await Run("review", "start", "--owner", "team:payments", "--all", "--reviewer", "cli-rv", "--due", "14d")).Code);
        var started = await Run("review", "start", "--owner", "team:payments", "--reviewer", "cli-rv", "--due", "14d", "--json");
        Ok(started);
        var id = JsonDocument.Parse(started.Output).RootElement.GetProperty("id").GetString()!;

        var shown = await Run("review", "show", id, "--json");
        Ok(shown);
        var items = JsonDocument.Parse(shown.Output).RootElement.GetProperty("items").EnumerateArray().ToList();
        var read = items.Single(i => i.GetProperty("kind").GetString() == "entitlement" && i.GetProperty("action").GetString() == "Action::\"read\"");
        var number = read.GetProperty("item").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(2, (await RunAs(reviewerToken, "review", "decide", id, number, "--reason", "neither")).Code);
        Assert.Equal(2, (await RunAs(reviewerToken, "review", "decide", id, number, "--certify", "--revoke", "--reason", "both")).Code);
        var notReviewer = await Run("review", "decide", id, number, "--revoke", "--reason", "admin is not the reviewer");
        Assert.Equal(1, notReviewer.Code);
        Assert.Contains("review-not-reviewer", notReviewer.Error, StringComparison.Ordinal);
        Ok(await RunAs(reviewerToken, "review", "decide", id, number, "--revoke", "--reason", "billing reads through the ledger service"));
        var again = await RunAs(reviewerToken, "review", "decide", id, number, "--certify", "--reason", "changed my mind");
        Assert.Equal(1, again.Code);
        Assert.Contains("review-item-decided", again.Error, StringComparison.Ordinal);

        // Lifting the revoked entitlement: security (not the reviewer), with a reason, once.
        var securityToken = Path.Combine(directory, "sec.token");
        Ok(await Run("operator", "add", "cli-sec", "--role", "security"));
        Ok(await Run("operator", "token", "create", "cli-sec", "--output", securityToken));
        Assert.Equal(2, (await RunAs(securityToken, "review", "lift", id, number)).Code);
        var byReviewer = await RunAs(reviewerToken, "review", "lift", id, number, "--reason", "not mine to give back");
        Assert.Equal(3, byReviewer.Code);
        Assert.Contains("(403) forbidden", byReviewer.Error, StringComparison.Ordinal);
        var lifted = await RunAs(securityToken, "review", "lift", id, number, "--reason", "the ledger service was retired");
        Ok(lifted);
        Assert.Contains("operator:cli-sec", lifted.Output, StringComparison.Ordinal);
        Assert.Contains("lift_policy_version", lifted.Output, StringComparison.Ordinal);
        var liftedAgain = await RunAs(securityToken, "review", "lift", id, number, "--reason", "again", "--json");
        Assert.Equal(1, liftedAgain.Code);
        Assert.Contains("review-item-not-liftable", liftedAgain.Error, StringComparison.Ordinal);
        var shownLifted = JsonDocument.Parse((await Run("review", "show", id, "--json")).Output).RootElement.GetProperty("items").EnumerateArray()
            .Single(i => i.GetProperty("item").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture) == number);
        Assert.Equal("operator:cli-sec", shownLifted.GetProperty("lifted").GetProperty("by").GetString());

        var report = await Run("review", "report", id);
        Ok(report);
        Assert.Contains("1 revoked", report.Output, StringComparison.Ordinal);
        Assert.Contains("operator:cli-rv", report.Output, StringComparison.Ordinal);
        var reportJson = await Run("review", "report", id, "--json");
        Ok(reportJson);
        Assert.Equal(1, JsonDocument.Parse(reportJson.Output).RootElement.GetProperty("completion").GetProperty("revoked").GetInt32());
        var listed = await Run("review", "list");
        Ok(listed);
        Assert.Contains(id, listed.Output, StringComparison.Ordinal);
        var missing = await Run("review", "show", "rvw_missing");
        Assert.Equal(1, missing.Code);
    }

    [Fact]
    public async Task EvidenceVerify_ShouldPassAnIntactPack_AndNameEveryChange()
    {
        Ok(await Run("identity", "register", "spiffe://demo.mandate.local/cli/leaving", "--kind", "workload", "--owner", "team:cli-leaving", "--purpose", "tests", "--expires", "1d"));
        var pack = Path.Combine(directory, "evidence.json");
        var offboarded = await Run("offboard", "team:cli-leaving", "--reason", "contractor left", "--evidence", pack);
        Ok(offboarded);
        Assert.Contains("spiffe://demo.mandate.local/cli/leaving", offboarded.Output, StringComparison.Ordinal);
        var keys = Path.Combine(directory, "keys.json");
        var keysJson = await Run("audit", "keys", "--json");
        Ok(keysJson);
        await File.WriteAllTextAsync(keys, keysJson.Output, Ct);

        var intact = await Cli.RunAsync("evidence", "verify", pack, "--key", keys);
        Ok(intact);
        Assert.Contains("intact", intact.Output, StringComparison.Ordinal);
        Ok(await Run("evidence", "verify", pack));
        var refused = await Run("identity", "register", "spiffe://demo.mandate.local/cli/leaving-2", "--kind", "workload", "--owner", "team:cli-leaving", "--purpose", "tests", "--expires", "1d");
        Assert.Equal(1, refused.Code);
        Assert.Contains("owner-departed", refused.Error, StringComparison.Ordinal);

        // Fetched again by id, it verifies the same.
        var id = JsonNode.Parse(await File.ReadAllTextAsync(pack, Ct))!["id"]!.GetValue<string>();
        var fetched = Path.Combine(directory, "fetched.json");
        Ok(await Run("evidence", "show", id, "--output", fetched));
        Ok(await Cli.RunAsync("evidence", "verify", fetched, "--key", keys));

        var text = await File.ReadAllTextAsync(pack, Ct);

        // A byte of a field.
        await AssertBrokenAsync(keys, text.Replace("contractor left", "contractor lefT", StringComparison.Ordinal), "signature:");

        // A byte of a proof (a node of an audit path).
        var document = JsonNode.Parse(text)!.AsObject();
        var entry = document["ledger"]!.AsArray().First(e => e!["proof"]!["audit_path"]!.AsArray().Count > 0)!;
        var node = entry["proof"]!["audit_path"]![0]!.GetValue<string>();
        var flipped = (node[0] == '0' ? "1" : "0") + node[1..];
        await AssertBrokenAsync(keys, text.Replace(node, flipped, StringComparison.Ordinal), "ledger[");

        // A byte of the signature.
        var signature = document["signature"]!["value"]!.GetValue<string>();
        var forged = signature[..10] + (signature[10] == 'A' ? 'B' : 'A') + signature[11..];
        await AssertBrokenAsync(keys, text.Replace(signature, forged, StringComparison.Ordinal), "signature:");

        // Not JSON at all.
        await AssertBrokenAsync(keys, text[..(text.Length / 2)], "not valid JSON");
    }

    private async Task AssertBrokenAsync(string keys, string tampered, string named)
    {
        var file = Path.Combine(directory, "tampered-" + Guid.NewGuid().ToString("N") + ".json");
        await File.WriteAllTextAsync(file, tampered, Ct);
        var result = await Cli.RunAsync("evidence", "verify", file, "--key", keys);
        Assert.True(result.Code == 1, $"exit {result.Code}: {result.Output}{result.Error}");
        Assert.Contains(named, result.Error, StringComparison.Ordinal);
        var json = await Cli.RunAsync("evidence", "verify", file, "--key", keys, "--json");
        Assert.Equal(1, json.Code);
        Assert.False(JsonDocument.Parse(json.Output).RootElement.GetProperty("verified").GetBoolean());
    }
}
