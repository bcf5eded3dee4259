using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Mandate.Core.Storage;
using Mandate.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Cli.Tests.Secrets;

/// <summary>
/// <c>mandate secrets scan --register</c> over real HTTP against a real server on SQLite and on PostgreSQL: secrets
/// become static-secret identities matched to an imported IAM user by access key id, findings follow, a rescan marks a
/// vanished secret removed and flags one that comes back, and no raw value reaches the database or the ledger.
/// </summary>
public sealed class SecretsRegisterCommandTests : IAsyncLifetime
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "mandate-tests", "secrets-register-" + Guid.NewGuid().ToString("N"));
    private WebApplication? app;
    private string url = null!;
    private string tokenFile = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(directory);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        if (app is not null)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    private async Task StartAsync(string store)
    {
        var options = new MandateServerOptions { Urls = "http://127.0.0.1:0", StateDirectory = Path.Combine(directory, "state"), Demo = true };
        if (store == "postgres")
        {
            options.Store = new StoreLocation(StoreKind.Postgres, await PostgresTestDatabase.CreateSchemaAsync());
        }

        app = await MandateServer.CreateAsync(options, cancellationToken: Ct);
        await app.StartAsync(Ct);
        url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        tokenFile = options.AdminTokenPath;
    }

    private Task<(int Code, string Output, string Error)> Run(params string[] args) => Cli.RunAsync([.. args, "--server", url, "--token-file", tokenFile]);

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Register_ShouldTrackSecretsInTheInventory_RemovalAndReappearance_FeedFindings_AndStoreNoRawValue(string store)
    {
        await StartAsync(store);
        var keyId = "AKIA" + "QWERTYUIOPASDFGH".Replace('O', '2').Replace('I', '3');
        var awsSecret = SecretCorpus.Value("aws_secret_access_key", seed: 21);
        var github = SecretCorpus.GitHubToken(22);
        var stripe = SecretCorpus.Value("stripe_live_key", seed: 23);
        string[] raw = [awsSecret, github, stripe];

        // The IAM user the key belongs to, imported with its access key id (never its secret).
        var inventory = Path.Combine(directory, "iam.json");
        await File.WriteAllTextAsync(inventory, $$"""
            {"identities": [{"source": "aws", "external_id": "arn:aws:iam::111122223333:user/svc-deploy", "kind": "service_account", "owner": "team:platform",
              "credentials": [{"slot": "access_key_1", "kind": "access_key", "id": "{{keyId}}", "active": true, "created_at": "2026-01-01T00:00:00Z"}]}]}
            """, Ct);
        var imported = await Run("identity", "import", inventory, "--format", "json");
        Assert.True(imported.Code == 0, imported.Error);

        // A repository whose secrets were committed long ago (the history dates them).
        var repo = Path.Combine(directory, "repo");
        Directory.CreateDirectory(repo);
        await File.WriteAllTextAsync(Path.Combine(repo, "credentials"), $"[deploy]\naws_access_key_id = {keyId}\naws_secret_access_key = {awsSecret}\n", Ct);
        await File.WriteAllTextAsync(Path.Combine(repo, "gh.py"), $"TOKEN = \"{github}\"\n", Ct);
        await File.WriteAllTextAsync(Path.Combine(repo, "billing.env"), $"STRIPE={stripe}\n", Ct);
        await Git(repo, "init", "-q");
        await Git(repo, "add", ".");
        await Git(repo, "commit", "-qm", "initial", "--date", "2024-01-02T00:00:00Z");

        var first = await Run("secrets", "scan", repo, "--history", "--register", "--source", "git.example.org/acme/app", "--json");
        Assert.True(first.Code == 1, first.Error);
        var firstJson = JsonDocument.Parse(first.Output).RootElement;
        var secrets = firstJson.GetProperty("secrets").EnumerateArray().ToList();
        Assert.All(secrets, s => Assert.Equal("new", s.GetProperty("status").GetString()));
        var awsEntry = secrets.Single(s => s.GetProperty("kind").GetString() == "aws_secret_access_key");
        Assert.Equal("aws:arn:aws:iam::111122223333:user/svc-deploy", awsEntry.GetProperty("identity").GetString());
        Assert.Equal("team:platform", awsEntry.GetProperty("owner").GetString());
        var githubFingerprint = secrets.Single(s => s.GetProperty("kind").GetString() == "github_token").GetProperty("fingerprint").GetString()!;
        var stripeFingerprint = secrets.Single(s => s.GetProperty("kind").GetString() == "stripe_live_key").GetProperty("fingerprint").GetString()!;

        // The same Stripe key in another repository: one secret, two holders.
        var other = Path.Combine(directory, "other");
        Directory.CreateDirectory(other);
        await File.WriteAllTextAsync(Path.Combine(other, "settings.yaml"), $"stripe:\n  key: {stripe}\n", Ct);
        var second = await Run("secrets", "scan", other, "--register", "--source", "git.example.org/acme/billing", "--owner", "team:billing", "--json");
        Assert.True(second.Code == 1, second.Error);
        Assert.Equal(stripeFingerprint, JsonDocument.Parse(second.Output).RootElement.GetProperty("secrets")[0].GetProperty("fingerprint").GetString());

        var findings = JsonDocument.Parse((await Run("findings", "--json")).Output).RootElement.GetProperty("findings").EnumerateArray().ToList();
        var appPrefix = "git.example.org/acme/app#";
        Assert.Contains(findings, f => f.GetProperty("kind").GetString() == "shared_secret" && f.GetProperty("identity").GetString() == appPrefix + stripeFingerprint);
        Assert.Contains(findings, f => f.GetProperty("kind").GetString() == "long_lived_secret" && f.GetProperty("identity").GetString() == appPrefix + githubFingerprint);
        Assert.Contains(findings, f => f.GetProperty("kind").GetString() == "rotation_overdue" && f.GetProperty("identity").GetString() == appPrefix + githubFingerprint
            && f.GetProperty("summary").GetString()!.Contains("2024-01-02", StringComparison.Ordinal));

        // The token leaves the working tree: a rescan (of the tree only) marks it removed, with the time.
        File.Delete(Path.Combine(repo, "gh.py"));
        var rescan = await Run("secrets", "scan", repo, "--register", "--source", "git.example.org/acme/app", "--json");
        var registered = JsonDocument.Parse(rescan.Output).RootElement.GetProperty("registered");
        Assert.Equal(1, registered.GetProperty("removed").GetInt32());
        var removed = Assert.Single(registered.GetProperty("removed_secrets").EnumerateArray());
        Assert.Equal(githubFingerprint, removed.GetProperty("fingerprint").GetString());
        Assert.True(removed.GetProperty("removed_at").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-5));
        var listed = await Run("identity", "list", "--source", "scan", "--json");
        Assert.Contains("scan.removed_at", listed.Output, StringComparison.Ordinal);

        // It comes back: flagged as reappeared, and a high rotation_overdue finding says so.
        await File.WriteAllTextAsync(Path.Combine(repo, "gh.py"), $"TOKEN = \"{github}\"\n", Ct);
        var back = await Run("secrets", "scan", repo, "--register", "--source", "git.example.org/acme/app", "--json");
        var backJson = JsonDocument.Parse(back.Output).RootElement;
        Assert.Equal("reappeared", backJson.GetProperty("secrets").EnumerateArray().Single(s => s.GetProperty("fingerprint").GetString() == githubFingerprint).GetProperty("status").GetString());
        Assert.Equal(1, backJson.GetProperty("registered").GetProperty("reappeared").GetInt32());
        findings = JsonDocument.Parse((await Run("findings", "--json")).Output).RootElement.GetProperty("findings").EnumerateArray().ToList();
        Assert.Contains(findings, f => f.GetProperty("kind").GetString() == "rotation_overdue" && f.GetProperty("severity").GetString() == "high"
            && f.GetProperty("summary").GetString()!.Contains("reappeared", StringComparison.Ordinal));

        // No raw value anywhere: not in any output, not in the ledger, not in the database's files.
        var export = Path.Combine(directory, "ledger.jsonl");
        var exported = await Run("audit", "export", "--output", export);
        Assert.True(exported.Code == 0, exported.Error);
        var ledger = await File.ReadAllTextAsync(export, Ct);
        Assert.Contains("secrets.secret.registered", ledger, StringComparison.Ordinal);
        Assert.Contains("secrets.secret.removed", ledger, StringComparison.Ordinal);
        Assert.Contains("secrets.secret.reappeared", ledger, StringComparison.Ordinal);
        foreach (var value in raw)
        {
            foreach (var text in new[] { first.Output, first.Error, second.Output, rescan.Output, back.Output, ledger, listed.Output })
            {
                Assert.DoesNotContain(value, text, StringComparison.Ordinal);
            }
        }

        if (store == "sqlite")
        {
            await app!.StopAsync(Ct);
            foreach (var file in Directory.EnumerateFiles(Path.Combine(directory, "state"), "*", SearchOption.AllDirectories))
            {
                var bytes = await File.ReadAllBytesAsync(file, Ct);
                foreach (var value in raw)
                {
                    Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(value)) < 0, $"{file} holds a raw secret");
                }
            }
        }
    }

    [Fact]
    public async Task FingerprintKey_ShouldBeRefusedWithoutAnAdminOrSecurityCredential()
    {
        await StartAsync("sqlite");
        using var client = new HttpClient { BaseAddress = new Uri(url) };
        using var anonymous = await client.GetAsync("/v1/secrets/fingerprint-key", Ct);
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, anonymous.StatusCode);
        using var post = await client.PostAsync("/v1/secrets/scans", new StringContent("{}", Encoding.UTF8, "application/json"), Ct);
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, post.StatusCode);

        client.DefaultRequestHeaders.Authorization = new("Bearer", (await File.ReadAllTextAsync(tokenFile, Ct)).Trim());
        using var bad = await client.PostAsync("/v1/secrets/scans", new StringContent("""{"source":"x","secrets":[{"fingerprint":"sha256:00","kind":"jwt","locations":[{"file":"a","line":1}]}]}""", Encoding.UTF8, "application/json"), Ct);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, bad.StatusCode);
        using var key = await client.GetAsync("/v1/secrets/fingerprint-key", Ct);
        Assert.Equal("no-store", key.Headers.CacheControl?.ToString());
        using var again = await client.GetAsync("/v1/secrets/fingerprint-key", Ct);
        Assert.Equal(
            JsonDocument.Parse(await key.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("key").GetString(),
            JsonDocument.Parse(await again.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("key").GetString());
    }

    private static async Task Git(string repo, params string[] args)
    {
        var info = new ProcessStartInfo("git") { WorkingDirectory = repo, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-c", "user.name=Test", "-c", "user.email=test@example.org", "-c", "commit.gpgsign=false" }.Concat(args))
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["GIT_COMMITTER_DATE"] = "2024-01-02T00:00:00Z";
        using var process = Process.Start(info)!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, error);
    }
}
