using Mandate.Cedar.Conformance;
using Mandate.Cedar.Tests.Schemas;

namespace Mandate.Cedar.Tests.Conformance;

/// <summary>Every case of the copied Cedar conformance corpus (tests/conformance/cedar) must pass.</summary>
public sealed class ConformanceTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Corpus_ShouldPassEveryCase(bool useJsonSchema)
    {
        var report = CorpusRunner.Run(CorpusPaths.Root() ?? throw new InvalidOperationException("tests/conformance/cedar was not found"), useJsonSchema);
        Assert.True(report.Failed == 0 && report.Passed > 0,
            $"{report.Passed} passed, {report.Failed} failed:\n" + string.Join("\n", report.Failures.Take(60).Select(f => $"{f.Case} [{f.Request}] expected {f.Expected}, got {f.Actual}")));
    }
}
