using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json;
using System.Xml.Linq;

namespace Mandate.Cli.Tests.Install;

/// <summary>
/// The NuGet packages from build/pack.sh, consumed as a user would: a console project made here, in a temporary
/// folder outside the repository, restores Mandate.Cedar and Mandate.Client from the local folder feed (its own
/// nuget.config: that feed plus the machine's usual sources for their dependencies; its own packages folder, so an
/// older 0.1.0 cached on the machine is never used), builds and runs. test.sh packs them and names the folder in
/// MANDATE_TEST_PACKAGES; without it the test is skipped (fails under CI).
/// </summary>
public sealed class PackageConsumerTests
{
    private const string Variable = "MANDATE_TEST_PACKAGES";
    private static readonly string[] Packages = ["Mandate.Cedar", "Mandate.Protocol", "Mandate.Client", "Mandate.Client.AspNetCore"];

    [Fact]
    public void Packages_ShouldCarryMetadata_Symbols_AndKeepAspNetCoreOutOfTheClient()
    {
        var feed = Feed();
        foreach (var id in Packages)
        {
            var nuspec = Nuspec(feed, id, out var entries);
            var metadata = nuspec.Root!.Elements().Single(e => e.Name.LocalName == "metadata");
            string? Field(string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value;
            Assert.False(string.IsNullOrWhiteSpace(Field("description")), id + ": no description");
            Assert.Equal("README.md", Field("readme"));
            Assert.Contains("README.md", entries);
            Assert.Contains($"lib/net10.0/{id}.dll", entries);
            Assert.Contains($"lib/net10.0/{id}.xml", entries);
            Assert.Null(Field("icon"));
            var license = metadata.Elements().Single(e => e.Name.LocalName == "license");
            Assert.Equal("expression", (string?)license.Attribute("type"));
            Assert.Equal("Apache-2.0", license.Value);
            Assert.NotNull(metadata.Elements().SingleOrDefault(e => e.Name.LocalName == "repository")?.Attribute("commit"));
            Assert.True(File.Exists(Path.Combine(feed, $"{id}.{Version(feed, id)}.snupkg")), id + ": no symbol package");
        }

        Assert.Empty(FrameworkReferences(Nuspec(feed, "Mandate.Client", out _)));
        Assert.Empty(FrameworkReferences(Nuspec(feed, "Mandate.Protocol", out _)));
        Assert.Empty(FrameworkReferences(Nuspec(feed, "Mandate.Cedar", out _)));
        Assert.Contains("Microsoft.AspNetCore.App", FrameworkReferences(Nuspec(feed, "Mandate.Client.AspNetCore", out _)));
    }

    [Fact]
    public async Task AConsoleApp_ShouldRestoreBuildAndRun_FromTheLocalFeed_WithoutAspNetCore()
    {
        var feed = Feed();
        var version = Version(feed, "Mandate.Client");
        var work = Path.Combine(Path.GetTempPath(), "mandate-tests", "consumer-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        var fallback = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        await File.WriteAllTextAsync(Path.Combine(work, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config>
                <add key="globalPackagesFolder" value="{Path.Combine(work, "packages")}" />
              </config>
              <fallbackPackageFolders>
                <add key="machine" value="{fallback}" />
              </fallbackPackageFolders>
              <packageSources>
                <add key="mandate-local" value="{feed}" />
              </packageSources>
            </configuration>
            """, TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(Path.Combine(work, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Mandate.Cedar" Version="{version}" />
                <PackageReference Include="Mandate.Client" Version="{version}" />
              </ItemGroup>
            </Project>
            """, TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(Path.Combine(work, "Program.cs"), """"
            using Mandate.Cedar;
            using Mandate.Client;
            using Microsoft.Extensions.DependencyInjection;

            var policies = PolicySet.Parse("""
                @id("billing-reads-invoices")
                permit (principal == Workload::"billing", action == Action::"read", resource is Invoice)
                when { resource.owner == principal };
                """, "consumer.cedar");
            var entities = Entities.ParseJson("""
                [{"uid": {"type": "Invoice", "id": "INV-1"}, "attrs": {"owner": {"__entity": {"type": "Workload", "id": "billing"}}}, "parents": []},
                 {"uid": {"type": "Invoice", "id": "INV-2"}, "attrs": {"owner": {"__entity": {"type": "Workload", "id": "other"}}}, "parents": []}]
                """);
            var billing = new EntityUid("Workload", "billing");
            var read = new EntityUid("Action", "read");
            var own = Authorizer.IsAuthorized(new Request(billing, read, new EntityUid("Invoice", "INV-1")), policies, entities);
            var other = Authorizer.IsAuthorized(new Request(billing, read, new EntityUid("Invoice", "INV-2")), policies, entities);
            Console.WriteLine($"own={own.Decision} reasons={string.Join(",", own.Reasons)} other={other.Decision}");

            var services = new ServiceCollection();
            services.AddMandateClient(o => o.BaseAddress = new Uri("http://127.0.0.1:8080"));
            using var provider = services.BuildServiceProvider();
            Console.WriteLine("client=" + provider.GetRequiredService<IAuthZenClient>().GetType().Name);
            """", TestContext.Current.CancellationToken);

        var (code, output, error) = await DotnetAsync(work, ["run", "-c", "Release"], TimeSpan.FromSeconds(240));
        Assert.True(code == 0, $"dotnet run exited {code}:\n{output}\n{error}");
        Assert.Contains("own=Allow reasons=policy0 other=Deny", output, StringComparison.Ordinal);
        Assert.Contains("client=", output, StringComparison.Ordinal);

        // The packages came from the local feed, not from a cache of an older build.
        Assert.True(Directory.Exists(Path.Combine(work, "packages", "mandate.client", version)));

        // Mandate.Client's closure does not bring ASP.NET Core: no package in the restore asks for the framework, and
        // the app runs on Microsoft.NETCore.App alone.
        using var assets = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(work, "obj", "project.assets.json"), TestContext.Current.CancellationToken));
        foreach (var target in assets.RootElement.GetProperty("targets").EnumerateObject())
        {
            foreach (var library in target.Value.EnumerateObject())
            {
                if (library.Value.TryGetProperty("frameworkReferences", out var references))
                {
                    Assert.DoesNotContain("Microsoft.AspNetCore.App", references.EnumerateArray().Select(r => r.GetString()));
                }
            }
        }

        Assert.Contains(assets.RootElement.GetProperty("targets").EnumerateObject().SelectMany(t => t.Value.EnumerateObject()).Select(l => l.Name),
            name => name.StartsWith("Mandate.Protocol/", StringComparison.Ordinal));
        var runtimeConfig = Directory.GetFiles(Path.Combine(work, "bin"), "Consumer.runtimeconfig.json", SearchOption.AllDirectories).Single();
        using var config = JsonDocument.Parse(await File.ReadAllTextAsync(runtimeConfig, TestContext.Current.CancellationToken));
        var options = config.RootElement.GetProperty("runtimeOptions");
        Assert.Equal("Microsoft.NETCore.App", options.GetProperty("framework").GetProperty("name").GetString());
        Assert.False(options.TryGetProperty("frameworks", out _), "the app needs more than one shared framework: " + options);

        Directory.Delete(work, recursive: true);
    }

    private static string Feed()
    {
        var feed = InstallArtifact.Require(Variable, "run build/pack.sh and set it to artifacts/package/release");
        Assert.True(Directory.Exists(feed), $"{Variable} names {feed}, which does not exist");
        return Path.GetFullPath(feed);
    }

    private static string Version(string feed, string id)
    {
        var versions = Directory.GetFiles(feed, id + ".*.nupkg")
            .Select(f => Path.GetFileNameWithoutExtension(f)[(id.Length + 1)..])
            .Where(v => char.IsDigit(v[0]))
            .ToList();
        return Assert.Single(versions);
    }

    private static XDocument Nuspec(string feed, string id, out IReadOnlyList<string> entries)
    {
        using var package = ZipFile.OpenRead(Path.Combine(feed, $"{id}.{Version(feed, id)}.nupkg"));
        entries = [.. package.Entries.Select(e => e.FullName)];
        using var stream = package.GetEntry(id + ".nuspec")!.Open();
        return XDocument.Load(stream);
    }

    private static List<string> FrameworkReferences(XDocument nuspec) =>
        [.. nuspec.Descendants().Where(e => e.Name.LocalName == "frameworkReference").Select(e => (string)e.Attribute("name")!)];

    private static async Task<(int Code, string Output, string Error)> DotnetAsync(string directory, string[] args, TimeSpan limit)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in args)
        {
            start.ArgumentList.Add(argument);
        }

        // A fresh build, not one that inherits the test host's MSBuild (dotnet test sets these for its own build).
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k == "DOTNET_HOST_PATH").ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var error = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await output, await error);
    }
}
