using System.Reflection;

namespace Mandate.Cli.Tests;

/// <summary>Dependencies point inward: Cli/Server → Core + Storage → Core → Cedar, Protocol; Client → Protocol only; Client.AspNetCore → Client.</summary>
public sealed class ArchitectureTests
{
    public static TheoryData<string, string[]> Allowed => new()
    {
        { "Mandate.Cedar", [] },
        { "Mandate.Protocol", [] },
        { "Mandate.Core", ["Mandate.Cedar", "Mandate.Protocol"] },
        { "Mandate.Storage.Relational", ["Mandate.Core", "Mandate.Cedar", "Mandate.Protocol"] },
        { "Mandate.Storage.Sqlite", ["Mandate.Storage.Relational", "Mandate.Core", "Mandate.Cedar", "Mandate.Protocol"] },
        { "Mandate.Storage.Postgres", ["Mandate.Storage.Relational", "Mandate.Core", "Mandate.Cedar", "Mandate.Protocol"] },
        { "Mandate.Client", ["Mandate.Protocol"] },
        { "Mandate.Client.AspNetCore", ["Mandate.Client", "Mandate.Protocol"] },
    };

    [Theory]
    [MemberData(nameof(Allowed))]
    public void Assembly_ShouldReferenceOnlyInwardMandateAssemblies(string assemblyName, string[] allowed)
    {
        var assembly = Assembly.Load(assemblyName);
        var references = assembly.GetReferencedAssemblies()
            .Select(a => a.Name!)
            .Where(n => n.StartsWith("Mandate.", StringComparison.Ordinal))
            .ToList();
        Assert.All(references, r => Assert.Contains(r, allowed));
    }

    [Fact]
    public void Client_ShouldNotNeedAspNetCore()
    {
        var references = Assembly.Load("Mandate.Client").GetReferencedAssemblies().Select(a => a.Name!);
        Assert.DoesNotContain(references, n => n.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
    }
}
