using System.Diagnostics;
using System.Text.Json;

namespace Mandate.Cli.Tests.Secrets;

/// <summary>
/// <c>mandate secrets scan</c> on planted, format-valid secrets (generated at run time by <see cref="SecretCorpus"/>)
/// and decoys: every detector finds its secret at its line, every decoy is suppressed, raw values are never printed.
/// </summary>
public sealed class SecretsScanCommandTests : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "mandate-tests", "secrets-" + Guid.NewGuid().ToString("N"));
    private readonly string keyFile;

    public SecretsScanCommandTests()
    {
        Directory.CreateDirectory(directory);
        keyFile = Path.Combine(directory, "scan.key");
        File.WriteAllText(keyFile, Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
    }

    private async Task<(int Code, string Output, string Error, JsonElement Json)> ScanJson(string path, params string[] more)
    {
        var (code, output, error) = await Cli.RunAsync(["secrets", "scan", path, "--json", "--key-file", keyFile, .. more]);
        return (code, output, error, code is 0 or 1 ? JsonDocument.Parse(output).RootElement : default);
    }

    private static IEnumerable<(string Kind, string File, int Line)> Locations(JsonElement json) =>
        json.GetProperty("secrets").EnumerateArray().SelectMany(s => s.GetProperty("locations").EnumerateArray()
            .Select(l => (s.GetProperty("kind").GetString()!, l.GetProperty("file").GetString()!, l.GetProperty("line").GetInt32())));

    [Fact]
    public async Task Scan_ShouldFindEveryPlantedKindAtItsLine_AndReportNoDecoy_AndNeverPrintARawValue()
    {
        var tree = Path.Combine(directory, "tree");
        var corpus = SecretCorpus.Write(tree, seed: 11, files: 30, fileBytes: 4096);
        Assert.Equal(SecretCorpus.PlantedKinds.Count, corpus.Planted.Select(p => p.Kind).Distinct().Count());
        Assert.Equal(SecretCorpus.DecoyKinds.Count, corpus.Decoys.Select(p => p.Kind).Distinct().Count());

        var (code, output, error, json) = await ScanJson(tree);
        Assert.True(code == 1, error);
        var found = Locations(json).ToList();
        foreach (var item in corpus.Planted)
        {
            Assert.Contains((item.Kind, item.File, item.Line), found);
        }

        var decoyPlaces = corpus.Decoys.Select(d => (d.File, d.Line)).ToHashSet();
        Assert.DoesNotContain(found, f => decoyPlaces.Contains((f.File, f.Line)));

        // Nothing else either: the filler (URLs, "token" in comments, os.environ lookups) is not a secret.
        var planted = corpus.Planted.Select(p => (p.File, p.Line)).ToHashSet();
        var aws = corpus.Planted.Where(p => p.Kind == "aws_secret_access_key").Select(p => (p.File, p.Line - 1)).ToHashSet();
        Assert.All(found, f => Assert.True(planted.Contains((f.File, f.Line)) || (f.Kind == "aws_access_key_id" && aws.Contains((f.File, f.Line))), $"unexpected {f}: {File.ReadAllLines(Path.Combine(tree, f.File))[f.Line - 1]}"));

        var human = await Cli.RunAsync("secrets", "scan", tree, "--key-file", keyFile);
        foreach (var secret in corpus.Planted)
        {
            var probe = secret.Value.Length > 40 ? secret.Value[..40] : secret.Value;
            Assert.DoesNotContain(probe, output, StringComparison.Ordinal);
            Assert.DoesNotContain(probe, error, StringComparison.Ordinal);
            Assert.DoesNotContain(probe, human.Output, StringComparison.Ordinal);
            Assert.DoesNotContain(probe, human.Error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Scan_ShouldNotReportAGitHubTokenWhoseChecksumIsWrong_AndReportTheValidOneAsChecksumVerified()
    {
        var good = SecretCorpus.GitHubToken(3);
        var bad = SecretCorpus.GitHubToken(4, valid: false);
        await File.WriteAllTextAsync(Path.Combine(directory, "tokens.py"), $"GOOD = \"{good}\"\nBAD_TOKEN = \"{bad}\"\n", TestContext.Current.CancellationToken);

        var (code, _, error, json) = await ScanJson(directory);
        Assert.True(code == 1, error);
        var secret = Assert.Single(json.GetProperty("secrets").EnumerateArray());
        Assert.Equal("github_token", secret.GetProperty("kind").GetString());
        Assert.Equal("checksum", secret.GetProperty("confidence").GetString());
        Assert.Equal(1, secret.GetProperty("locations")[0].GetProperty("line").GetInt32());
    }

    [Fact]
    public async Task Scan_ShouldFindAnAssignedSecretBesideUnassignedSecretWords_AndNoSecretUnderALocationName()
    {
        // The scanner settles an anchor with nothing assigned to it (CancellationToken token) at the word: an assigned
        // name later on the same line must still be found; every spelling of a name is an anchor (access-key);
        // a line whose only assigned name is a location (password_file) runs no expression and reports nothing.
        var text = string.Join('\n',
            "// The token is refreshed before it expires.",
            "Task RunAsync(CancellationToken token) { var api_key = \"Zq8vN3xK9pL2mW7r\"; }",
            "password_file: /run/secrets/db7Kq2",
            "access-key: \"Hv4Rt9Lm2Qx7Wp3Z\"",
            "string Token(CancellationToken token) => token.ToString();",
            string.Empty);
        await File.WriteAllTextAsync(Path.Combine(directory, "mixed.cs"), text, TestContext.Current.CancellationToken);

        var (code, _, error, json) = await ScanJson(directory);
        Assert.True(code == 1, error);
        Assert.Equal([("generic_secret", "mixed.cs", 2), ("generic_secret", "mixed.cs", 4)], Locations(json).Order().ToList());
    }

    [Fact]
    public async Task Scan_ShouldReportTwoCopiesOfOneSecretAsOneEntryWithTwoLocations()
    {
        var token = SecretCorpus.Value("stripe_live_key");
        await File.WriteAllTextAsync(Path.Combine(directory, "a.env"), $"# billing\nSTRIPE={token}\n", TestContext.Current.CancellationToken);
        Directory.CreateDirectory(Path.Combine(directory, "deploy"));
        await File.WriteAllTextAsync(Path.Combine(directory, "deploy", "b.yaml"), $"env:\n  x: 1\n  stripe: {token}\n", TestContext.Current.CancellationToken);

        var (_, output, _, json) = await ScanJson(directory);
        var secret = Assert.Single(json.GetProperty("secrets").EnumerateArray());
        Assert.StartsWith("hmac-sha256:", secret.GetProperty("fingerprint").GetString(), StringComparison.Ordinal);
        var locations = secret.GetProperty("locations").EnumerateArray().Select(l => $"{l.GetProperty("file").GetString()}:{l.GetProperty("line").GetInt32()}").ToList();
        Assert.Equal(["a.env:2", "deploy/b.yaml:3"], locations);
        Assert.DoesNotContain(token, output, StringComparison.Ordinal);

        // The same key gives the same fingerprint on the next scan; another key gives another.
        var again = await ScanJson(directory);
        Assert.Equal(secret.GetProperty("fingerprint").GetString(), again.Json.GetProperty("secrets")[0].GetProperty("fingerprint").GetString());
    }

    [Fact]
    public async Task Scan_WithHistory_ShouldFindASecretDeletedInALaterCommit_WithItsCommitAndDate()
    {
        var repo = Path.Combine(directory, "repo");
        Directory.CreateDirectory(repo);
        var token = SecretCorpus.Value("gitlab_token");
        await Git(repo, "init", "-q");
        await File.WriteAllTextAsync(Path.Combine(repo, "ci.yml"), $"stages: [build]\nvariables:\n  GITLAB_TOKEN: {token}\n", TestContext.Current.CancellationToken);
        await Git(repo, "add", ".");
        await Git(repo, "commit", "-qm", "add ci", "--date", "2025-03-04T05:06:07Z");
        var added = (await Git(repo, "rev-parse", "HEAD")).Trim();
        await File.WriteAllTextAsync(Path.Combine(repo, "ci.yml"), "stages: [build]\n", TestContext.Current.CancellationToken);
        await Git(repo, "commit", "-qam", "remove the token");

        var tree = await ScanJson(repo);
        Assert.Equal(0, tree.Code);
        Assert.Empty(tree.Json.GetProperty("secrets").EnumerateArray());

        var (code, output, error, json) = await ScanJson(repo, "--history");
        Assert.True(code == 1, error);
        var secret = Assert.Single(json.GetProperty("secrets").EnumerateArray());
        Assert.Equal("gitlab_token", secret.GetProperty("kind").GetString());
        var location = Assert.Single(secret.GetProperty("locations").EnumerateArray());
        Assert.Equal("ci.yml", location.GetProperty("file").GetString());
        Assert.Equal(3, location.GetProperty("line").GetInt32());
        Assert.Equal(added, location.GetProperty("commit").GetString());
        Assert.Equal("2025-03-04T05:06:07Z", location.GetProperty("date").GetString());
        Assert.Equal(2, json.GetProperty("scanned").GetProperty("commits").GetInt32());
        Assert.DoesNotContain(token, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scan_ShouldNameAMissingPath_AndRefuseHistoryOutsideAGitRepository()
    {
        var missing = Path.Combine(directory, "nope");
        var (code, _, error) = await Cli.RunAsync("secrets", "scan", missing, "--key-file", keyFile);
        Assert.Equal(2, code);
        Assert.Contains(missing + ": no such file or directory", error, StringComparison.Ordinal);

        var plain = Path.Combine(directory, "plain");
        Directory.CreateDirectory(plain);
        var history = await Cli.RunAsync("secrets", "scan", plain, "--history", "--key-file", keyFile);
        Assert.Equal(2, history.Code);
        Assert.Contains("not inside a git repository; --history needs one", history.Error, StringComparison.Ordinal);
    }

    private static async Task<string> Git(string directory, params string[] args)
    {
        var info = new ProcessStartInfo("git") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-c", "user.name=Test", "-c", "user.email=test@example.org", "-c", "commit.gpgsign=false" }.Concat(args))
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["GIT_COMMITTER_DATE"] = args.Contains("--date") ? args[Array.IndexOf(args, "--date") + 1] : "2026-01-02T03:04:05Z";
        info.Environment["GIT_CEILING_DIRECTORIES"] = Path.GetDirectoryName(directory)!;
        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, error);
        return output;
    }
}
