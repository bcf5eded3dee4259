using System.Reflection;

namespace Mandate.Cli.Tests;

/// <summary>
/// Dependencies point inward: Cli/Server → Core + Storage → Core → Cedar, Protocol; Client → Protocol only;
/// Client.AspNetCore → Client. The inner assemblies also name every outside assembly they may reference: no host
/// (ASP.NET Core), no database driver.
/// </summary>
public sealed class ArchitectureTests
{
    /// <summary>The base class library: what Cedar and Protocol may reference, and Core on top of its own families.</summary>
    private static readonly string[] Bcl = ["System", "System.*", "netstandard", "mscorlib", "Microsoft.Win32.*"];

    /// <summary>Never referenced by an inner assembly, whatever its allowed list says.</summary>
    private static readonly string[] Forbidden = ["Microsoft.AspNetCore*", "Npgsql*", "Microsoft.Data.Sqlite*", "SQLitePCL*"];

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
        // The gateway is a PEP of the server: it reaches it over HTTP, never through Core or a store.
        { "Mandate.Gateway.Mcp", ["Mandate.Protocol"] },
    };

    /// <summary>Every assembly reference allowed, by name or by <c>Prefix.*</c> family (Core: what it references today).</summary>
    public static TheoryData<string, string[]> AllowedReferences => new()
    {
        { "Mandate.Cedar", Bcl },
        { "Mandate.Protocol", Bcl },
        {
            "Mandate.Core",
            [
                .. Bcl,
                "Mandate.Cedar",
                "Mandate.Protocol",
                "Microsoft.Extensions.DependencyInjection.Abstractions",
                "Microsoft.Extensions.Logging.Abstractions",
                "Microsoft.Extensions.Options",
                "Microsoft.Extensions.Hosting.Abstractions",
                "Microsoft.IdentityModel.*",
                "NSec.Cryptography",
            ]
        },
    };

    [Theory]
    [MemberData(nameof(Allowed))]
    public void Assembly_ShouldReferenceOnlyInwardMandateAssemblies(string assemblyName, string[] allowed)
    {
        var references = ReferencesOf(assemblyName).Where(n => n.StartsWith("Mandate.", StringComparison.Ordinal)).ToList();
        Assert.All(references, r => Assert.Contains(r, allowed));
    }

    [Theory]
    [MemberData(nameof(AllowedReferences))]
    public void InnerAssembly_ShouldReferenceOnlyItsAllowedList_AndNoHostOrDatabaseDriver(string assemblyName, string[] allowed)
    {
        Assert.Empty(Violations(ReferencesOf(assemblyName), allowed));
    }

    [Fact]
    public void Client_ShouldNotReferenceAspNetCore()
    {
        // ASP.NET Core enforcement lives in Mandate.Client.AspNetCore; the plain SDK must not drag the framework in.
        var references = ReferencesOf("Mandate.Client");
        Assert.DoesNotContain(references, r => Matches(r, "Microsoft.AspNetCore*"));
        Assert.Empty(Violations(references.Where(r => r.StartsWith("Mandate.", StringComparison.Ordinal)), ["Mandate.Protocol"]));
    }

    // The rule itself can fail: each fake reference list breaks it in one way.
    [Theory]
    [InlineData("Microsoft.AspNetCore.Http.Abstractions")]
    [InlineData("Microsoft.AspNetCore.App")]
    [InlineData("Npgsql")]
    [InlineData("Microsoft.Data.Sqlite")]
    [InlineData("SQLitePCLRaw.core")]
    [InlineData("Newtonsoft.Json")]
    [InlineData("Mandate.Storage.Relational")]
    [InlineData("SystemX")]
    public void Violations_ShouldNameAReferenceOutsideTheAllowedList_OrForbidden(string reference)
    {
        string[] allowedEvenAspNetCore = [.. Bcl, "Mandate.Cedar", "Microsoft.AspNetCore.Http.Abstractions", "Microsoft.Data.Sqlite"];
        Assert.Equal([reference], Violations(["System.Runtime", "Mandate.Cedar", reference], allowedEvenAspNetCore));
    }

    [Fact]
    public void Violations_ShouldBeEmpty_WhenEveryReferenceIsAllowed()
    {
        Assert.Empty(Violations(["System.Runtime", "System", "netstandard", "Microsoft.IdentityModel.Tokens"], [.. Bcl, "Microsoft.IdentityModel.*"]));
    }

    internal static IReadOnlyList<string> Violations(IEnumerable<string> references, IReadOnlyCollection<string> allowed) =>
        references
            .Where(r => Forbidden.Any(f => Matches(r, f)) || !allowed.Any(a => Matches(r, a)))
            .ToList();

    /// <summary><c>Name</c> matches exactly, <c>Prefix.*</c> matches a dotted family, <c>Prefix*</c> matches any name starting so.</summary>
    private static bool Matches(string name, string pattern) =>
        pattern.EndsWith('*')
            ? name.StartsWith(pattern[..^1], StringComparison.Ordinal)
            : string.Equals(name, pattern, StringComparison.Ordinal);

    private static List<string> ReferencesOf(string assemblyName) =>
        Assembly.Load(assemblyName).GetReferencedAssemblies().Select(a => a.Name!).ToList();
}
