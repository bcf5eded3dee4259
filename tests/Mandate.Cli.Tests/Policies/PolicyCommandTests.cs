using System.Text.Json;

namespace Mandate.Cli.Tests.Policies;

public sealed class PolicyCommandTests : IDisposable
{
    private readonly DirectoryInfo temp = Directory.CreateTempSubdirectory("mandate-policy-cli-");

    public void Dispose() => temp.Delete(recursive: true);

    private static string Handwritten() => RepositoryRoot.Combine("tests", "conformance", "cedar", "handwritten");

    private string Write(string name, string text)
    {
        var path = Path.Combine(temp.FullName, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public async Task Test_ShouldPrintCounts_AndExit0_WhenEveryCasePasses()
    {
        var (code, output, _) = await Cli.RunAsync("policy", "test", "--corpus", Handwritten());
        Assert.Equal(0, code);
        Assert.Equal("22 passed, 0 failed", output.Trim());
    }

    [Fact]
    public async Task Test_ShouldPrintOneJsonObject_WithJson()
    {
        var (code, output, _) = await Cli.RunAsync("policy", "test", "--corpus", Handwritten(), "--json");
        Assert.Equal(0, code);
        using var document = JsonDocument.Parse(output);
        Assert.Equal(22, document.RootElement.GetProperty("passed").GetInt32());
        Assert.Equal(0, document.RootElement.GetProperty("failed").GetInt32());
        Assert.Equal(0, document.RootElement.GetProperty("failures").GetArrayLength());
    }

    [Fact]
    public async Task Test_ShouldExit1_WhenNothingPassed()
    {
        var (code, output, _) = await Cli.RunAsync("policy", "test", "--corpus", temp.FullName);
        Assert.Equal(1, code);
        Assert.Equal("0 passed, 0 failed", output.Trim());
    }

    [Fact]
    public async Task Test_ShouldReportAFailingCase_AndExit1()
    {
        var source = Path.Combine(Handwritten(), "decimal-1");
        var target = Directory.CreateDirectory(Path.Combine(temp.FullName, "broken"));
        foreach (var file in Directory.GetFiles(source))
        {
            File.Copy(file, Path.Combine(target.FullName, Path.GetFileName(file)));
        }

        var tests = Path.Combine(target.FullName, "tests.json");
        File.WriteAllText(tests, File.ReadAllText(tests).Replace("\"allow\"", "\"deny\"", StringComparison.Ordinal));
        var (code, output, error) = await Cli.RunAsync("policy", "test", "--corpus", temp.FullName, "--json");
        Assert.Equal(1, code);
        using var document = JsonDocument.Parse(output);
        Assert.Equal(1, document.RootElement.GetProperty("failed").GetInt32());
        Assert.Equal("broken", document.RootElement.GetProperty("failures")[0].GetProperty("case").GetString());
        Assert.Empty(error);
    }

    [Fact]
    public async Task Bench_ShouldPrintMedianP99AndMean_AsJson()
    {
        var (code, output, _) = await Cli.RunAsync("policy", "bench", "--corpus", Handwritten(), "--iterations", "2", "--json");
        Assert.Equal(0, code);
        using var document = JsonDocument.Parse(output);
        Assert.Equal(74 * 2, document.RootElement.GetProperty("decisions").GetInt32());
        Assert.True(document.RootElement.GetProperty("median_us").GetDouble() > 0);
        Assert.True(document.RootElement.GetProperty("p99_us").GetDouble() >= document.RootElement.GetProperty("median_us").GetDouble());
        Assert.True(document.RootElement.GetProperty("mean_us").GetDouble() > 0);
    }

    [Fact]
    public async Task Validate_ShouldNameFileLineAndColumn_WhenAPolicyDoesNotParse()
    {
        var file = Write("bad.cedar", "permit(principal, action, resource);\npermit(principal, action, resource) when { 1 + };\n");
        var (code, _, error) = await Cli.RunAsync("policy", "validate", file);
        Assert.Equal(1, code);
        Assert.StartsWith("mandate: error: ", error, StringComparison.Ordinal);
        Assert.Contains("bad.cedar:2:48: expected an expression", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_ShouldReportSchemaErrors_WithTheirPosition()
    {
        var schema = Write("schema.cedarschema", "entity User; entity Photo; action view appliesTo { principal: User, resource: Photo };");
        var good = Write("good.cedar", "permit(principal == User::\"a\", action == Action::\"view\", resource);");
        var bad = Write("typo.cedar", "permit(principal, action == Action::\"view\", resource) when { principal.nope };");
        Assert.Equal(0, (await Cli.RunAsync("policy", "validate", good, "--schema", schema)).Code);
        var (code, _, error) = await Cli.RunAsync("policy", "validate", bad, "--schema", schema);
        Assert.Equal(1, code);
        Assert.Contains("typo.cedar:1:", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Format_ShouldPrintIdiomaticText_AndCheckShouldFailOnUnformattedFiles()
    {
        var file = Write("messy.cedar", "permit(principal==User::\"a\",action,resource)when{context.x>1};");
        var (code, output, _) = await Cli.RunAsync("policy", "format", file);
        Assert.Equal(0, code);
        Assert.Equal("permit (principal == User::\"a\", action, resource)\nwhen { context.x > 1 };\n", output);
        Assert.Equal(1, (await Cli.RunAsync("policy", "format", "--check", file)).Code);
        Assert.Equal(0, (await Cli.RunAsync("policy", "format", "--write", file)).Code);
        Assert.Equal(0, (await Cli.RunAsync("policy", "format", "--check", file)).Code);
    }

    /// <summary>Every policy file we ship (the demo's and the samples') is already in the formatter's layout.</summary>
    [Fact]
    public async Task Format_ShouldFindEveryShippedPolicyFileFormatted()
    {
        var files = Directory.GetFiles(RepositoryRoot.Combine("samples"), "*.cedar", SearchOption.AllDirectories)
            .Concat(Directory.GetFiles(RepositoryRoot.Combine("src", "Mandate.Server", "Demo"), "*.cedar"))
            .ToList();
        Assert.True(files.Count >= 6, "expected the demo's and the samples' policy files");
        foreach (var file in files)
        {
            var (code, _, error) = await Cli.RunAsync("policy", "format", "--check", file);
            Assert.True(code == 0, $"{file}: {error}");
        }
    }

    [Fact]
    public async Task Eval_ShouldPrintTheDecisionAndReasons()
    {
        var policies = Write("p.cedar", "permit(principal in Group::\"admins\", action, resource) when { context.level > 2 };");
        var entities = Write("e.json", "[{\"uid\":{\"type\":\"User\",\"id\":\"alice\"},\"attrs\":{},\"parents\":[{\"type\":\"Group\",\"id\":\"admins\"}]}]");
        var (code, output, _) = await Cli.RunAsync("policy", "eval", policies, "--entities", entities,
            "--principal", "User::\"alice\"", "--action", "Action::\"read\"", "--resource", "Doc::\"d\"", "--context", "{\"level\": 3}", "--json");
        Assert.Equal(0, code);
        using var document = JsonDocument.Parse(output);
        Assert.Equal("allow", document.RootElement.GetProperty("decision").GetString());
        // Named as the server names it: the file's name, then policyN (an @id wins when there is one).
        Assert.Equal("p.policy0", document.RootElement.GetProperty("reasons")[0].GetString());
    }

    [Fact]
    public async Task Eval_ShouldExit1_WithAClearMessage_WhenAnEntityUidIsMalformed()
    {
        var policies = Write("p.cedar", "permit(principal, action, resource);");
        var (code, _, error) = await Cli.RunAsync("policy", "eval", policies, "--principal", "alice", "--action", "Action::\"a\"", "--resource", "R::\"r\"");
        Assert.Equal(1, code);
        Assert.Contains("--principal", error, StringComparison.Ordinal);
    }
    [Fact]
    public async Task Eval_ShouldReadTheContextFromAFile_GivenAsAtFile()
    {
        var policies = Write("p.cedar", "permit(principal, action, resource) when { context.tier == \"gold plan\" };");
        var context = Write("ctx.json", "{\"tier\": \"gold plan\"}");
        var (code, output, error) = await Cli.RunAsync("policy", "eval", policies,
            "--principal", "User::\"alice\"", "--action", "Action::\"read\"", "--resource", "Doc::\"d\"", "--context", "@" + context);
        Assert.True(code == 0, error);
        Assert.StartsWith("ALLOW", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Eval_ShouldNameTheContextFile_WhenItIsMissing_ADirectory_OrNotJson()
    {
        var policies = Write("p.cedar", "permit(principal, action, resource);");
        Task<(int Code, string Output, string Error)> Eval(string contextArgument) => Cli.RunAsync("policy", "eval", policies,
            "--principal", "User::\"alice\"", "--action", "Action::\"read\"", "--resource", "Doc::\"d\"", "--context", contextArgument);

        var missing = await Eval("@" + Path.Combine(temp.FullName, "missing.json"));
        Assert.Equal(1, missing.Code);
        Assert.Contains("missing.json: cannot read the file", missing.Error, StringComparison.Ordinal);

        var directory = await Eval("@" + temp.FullName);
        Assert.Equal(1, directory.Code);
        Assert.Contains(temp.Name, directory.Error, StringComparison.Ordinal);

        var broken = await Eval("@" + Write("broken.json", "{\n  \"tier\": }\n"));
        Assert.Equal(1, broken.Code);
        Assert.Contains("broken.json:2:11: not valid JSON (", broken.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("LineNumber", broken.Error, StringComparison.Ordinal);
    }
}
