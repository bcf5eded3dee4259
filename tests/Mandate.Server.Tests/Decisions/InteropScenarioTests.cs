using Mandate.Server.Tests.Infrastructure;

namespace Mandate.Server.Tests.Decisions;

/// <summary>
/// Every AuthZEN interop and certification case, replayed over real HTTP against a server started with
/// <c>--data samples/authzen/&lt;scenario&gt;</c> (the same way held-out cases are run).
/// </summary>
public sealed class InteropScenarioTests
{
    public static TheoryData<string, string[]> Scenarios => new()
    {
        { "todo", ["interop/todo.evaluation.json", "interop/todo.evaluations.json"] },
        { "api-gateway", ["interop/api-gateway.evaluation.json"] },
        { "search", ["interop/search.subject.json", "interop/search.resource.json", "interop/search.action.json", "interop/idp.search-resource.json"] },
        { "certification", ["certification/basic.json", "certification/batch.json", "certification/search.json", "certification/discovery.json"] },
    };

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task Scenario_ShouldAnswerEveryCase_OverHttp(string scenario, string[] caseFiles)
    {
        await using var server = await MandateTestServer.StartAsync(o =>
        {
            o.Demo = false;
            o.DataDirectory = RepositoryPaths.Samples(Path.Combine("authzen", scenario));
        }, TestPep.Configure);

        // The corpus is run as an enforcement point holding an operator-issued PEP credential (no anonymous access).
        using var pep = TestPep.CreateClient(server);
        var runner = new AuthZenCaseRunner(pep);
        var failures = new List<string>();
        var run = 0;
        foreach (var file in caseFiles)
        {
            var (count, failed) = await runner.RunFileAsync(RepositoryPaths.Conformance(file), TestContext.Current.CancellationToken);
            run += count;
            failures.AddRange(failed.Select(f => $"{file} {f}"));
        }

        Assert.True(run > 0, "no case ran");
        Assert.True(failures.Count == 0, $"{failures.Count} of {run} cases failed:\n" + string.Join("\n", failures));
    }
}
