using System.Text.Json;
using Mandate.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Cli.Tests.Operators;

/// <summary>The operator and pep-credential commands against a real in-process server on a loopback port.</summary>
public sealed class OperatorCommandTests : IAsyncLifetime
{
    private readonly LocalOidcProvider oidc = new();
    private WebApplication app = null!;
    private string url = null!;
    private string tokenFile = null!;
    private string directory = null!;

    public async ValueTask InitializeAsync()
    {
        directory = Path.Combine(Path.GetTempPath(), "mandate-tests", Guid.NewGuid().ToString("N"));
        var options = new MandateServerOptions { Urls = "http://127.0.0.1:0", StateDirectory = Path.Combine(directory, "state"), Demo = true };
        app = await MandateServer.CreateAsync(
            options,
            builder =>
            {
                foreach (var (key, value) in oidc.Settings)
                {
                    builder.Configuration[key] = value;
                }
            },
            TestContext.Current.CancellationToken);
        await app.StartAsync(TestContext.Current.CancellationToken);
        url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        tokenFile = options.AdminTokenPath;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        oidc.Dispose();
    }

    [Fact]
    public async Task SignIn_ShouldWriteASessionToken_ThatActsAsTheOperator_AndRefuseAForeignIdToken()
    {
        var ct = TestContext.Current.CancellationToken;
        var add = await Run(tokenFile, "operator", "add", "olga", "--role", "auditor", "--oidc-subject", "olga@example.org");
        Assert.True(add.Code == 0, add.Error);
        var idToken = Path.Combine(directory, "olga.idtoken");
        await File.WriteAllTextAsync(idToken, oidc.IdToken("olga@example.org"), ct);

        var session = Path.Combine(directory, "olga.session");
        var signedIn = await Cli.RunAsync("operator", "sign-in", "--id-token-file", idToken, "--output", session, "--server", url, "--json");
        Assert.True(signedIn.Code == 0, signedIn.Error);
        var shown = JsonDocument.Parse(signedIn.Output).RootElement;
        Assert.Equal("session", shown.GetProperty("kind").GetString());
        Assert.False(shown.TryGetProperty("token", out _));
        Assert.StartsWith("mot_", (await File.ReadAllTextAsync(session, ct)).Trim(), StringComparison.Ordinal);

        // The same ID token again opens no second session: refused as a credential (exit 3), nothing written.
        var replayed = await Cli.RunAsync("operator", "sign-in", "--id-token-file", idToken, "--output", Path.Combine(directory, "replayed.session"), "--server", url);
        Assert.Equal(3, replayed.Code);
        Assert.Contains("used to sign in already", replayed.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(directory, "replayed.session")));

        // The session acts as olga (an auditor reads) and nothing more (an auditor adds no operator).
        Assert.Equal(0, (await Run(session, "status")).Code);
        var forbidden = await Run(session, "operator", "add", "mallory", "--role", "admin");
        Assert.Equal(3, forbidden.Code);
        Assert.Contains("(403) forbidden", forbidden.Error, StringComparison.Ordinal);

        // An ID token for another audience is refused as a credential (exit 3), and nothing is written.
        await File.WriteAllTextAsync(idToken, oidc.IdToken("olga@example.org", audience: "someone-else"), ct);
        var refused = await Cli.RunAsync("operator", "sign-in", "--id-token-file", idToken, "--output", Path.Combine(directory, "never.session"), "--server", url);
        Assert.Equal(3, refused.Code);
        Assert.Contains("401", refused.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(directory, "never.session")));
    }

    private Task<(int Code, string Output, string Error)> Run(string token, params string[] args) => Cli.RunAsync([.. args, "--server", url, "--token-file", token]);

    [Fact]
    public async Task OperatorToken_ShouldBeWrittenToAPrivateFile_AndWorkUntilRevoked()
    {
        var add = await Run(tokenFile, "operator", "add", "alice", "--role", "security", "--display-name", "Alice");
        Assert.True(add.Code == 0, add.Error);
        Assert.Contains("security", add.Output, StringComparison.Ordinal);

        var file = Path.Combine(directory, "alice.token");
        var create = await Run(tokenFile, "operator", "token", "create", "alice", "--label", "laptop", "--ttl", "30d", "--output", file, "--json");
        Assert.True(create.Code == 0, create.Error);
        var created = JsonDocument.Parse(create.Output).RootElement;
        Assert.False(created.TryGetProperty("token", out _));
        var secret = (await File.ReadAllTextAsync(file, TestContext.Current.CancellationToken)).Trim();
        Assert.StartsWith("mot_", secret, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, create.Output, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }

        // A second token to the same file is refused: a secret is never written over another.
        var again = await Run(tokenFile, "operator", "token", "create", "alice", "--output", file);
        Assert.Equal(2, again.Code);

        // Alice acts with her own token; the list never shows a secret.
        var status = await Run(file, "status");
        Assert.True(status.Code == 0, status.Error);
        var list = await Run(file, "operator", "token", "list", "alice", "--json");
        Assert.True(list.Code == 0, list.Error);
        Assert.DoesNotContain(secret, list.Output, StringComparison.Ordinal);

        // Alice is no admin: adding an operator is refused as a credential problem (exit 3) naming the role.
        var refused = await Run(file, "operator", "add", "mallory", "--role", "admin");
        Assert.Equal(3, refused.Code);
        Assert.Contains("'admin'", refused.Error, StringComparison.Ordinal);

        var revoke = await Run(tokenFile, "operator", "token", "revoke", "alice", created.GetProperty("token_id").GetString()!, "--reason", "laptop lost");
        Assert.True(revoke.Code == 0, revoke.Error);
        Assert.Equal(3, (await Run(file, "status")).Code);
    }

    [Fact]
    public async Task PepCredential_ShouldBeIssuedListedAndRevoked()
    {
        var file = Path.Combine(directory, "gateway.token");
        var create = await Run(tokenFile, "pep-credential", "create", "gateway", "--output", file, "--json");
        Assert.True(create.Code == 0, create.Error);
        var id = JsonDocument.Parse(create.Output).RootElement.GetProperty("id").GetString()!;
        Assert.StartsWith("mpt_", (await File.ReadAllTextAsync(file, TestContext.Current.CancellationToken)).Trim(), StringComparison.Ordinal);

        var list = await Run(tokenFile, "pep-credential", "list");
        Assert.True(list.Code == 0, list.Error);
        Assert.Contains(id, list.Output, StringComparison.Ordinal);
        Assert.Contains("active", list.Output, StringComparison.Ordinal);

        Assert.Equal(0, (await Run(tokenFile, "pep-credential", "revoke", id, "--reason", "retired")).Code);
        var revokedAgain = await Run(tokenFile, "pep-credential", "revoke", id);
        Assert.Equal(1, revokedAgain.Code);
        Assert.Contains("pep-credential-revoked", revokedAgain.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownRole_ShouldBeAUsageError()
    {
        var (code, _, error) = await Run(tokenFile, "operator", "add", "bob", "--role", "root");
        Assert.Equal(2, code);
        Assert.Contains("root", error, StringComparison.Ordinal);
    }
}
