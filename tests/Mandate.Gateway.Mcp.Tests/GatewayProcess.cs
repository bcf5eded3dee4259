using System.Diagnostics;
using System.Text.Json;

namespace Mandate.Gateway.Mcp.Tests;

/// <summary>
/// <c>mandate gateway mcp …</c> as its own process (this configuration's build of the CLI), stopped and killed with
/// the test: the endpoint it serves is read from the one JSON document it prints once it listens.
/// </summary>
internal sealed class GatewayProcess : IAsyncDisposable
{
    private readonly Process process;

    private GatewayProcess(Process process, Uri endpoint)
    {
        this.process = process;
        Endpoint = endpoint;
    }

    public Uri Endpoint { get; }

    /// <summary>The JSON document the command printed once it listened.</summary>
    public JsonElement Output { get; private init; }

    public static Task<GatewayProcess> StartAsync(params string[] arguments) =>
        StartCliAsync(["gateway", "mcp", .. arguments], json => new Uri(json.GetProperty("endpoints")[0].GetString()!));

    /// <summary>Any long-running <c>mandate</c> command with <c>--json</c>; the endpoint is picked from the document it prints once it listens.</summary>
    public static async Task<GatewayProcess> StartCliAsync(
        IReadOnlyList<string> arguments, Func<JsonElement, Uri> endpoint, string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        start.ArgumentList.Add(CliDll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.ArgumentList.Add("--json");
        var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        string? line;
        try
        {
            line = await process.StandardOutput.ReadLineAsync(timeout.Token);
            while (line is not null && !line.TrimStart().StartsWith('{'))
            {
                line = await process.StandardOutput.ReadLineAsync(timeout.Token);
            }

            // The document is indented: read until it closes.
            var document = new System.Text.StringBuilder(line);
            while (line is not null && !IsComplete(document.ToString()))
            {
                line = await process.StandardOutput.ReadLineAsync(timeout.Token);
                document.AppendLine(line);
            }

            var json = JsonDocument.Parse(document.ToString()).RootElement;
            return new GatewayProcess(process, endpoint(json)) { Output = json.Clone() };
        }
        catch (Exception e) when (e is OperationCanceledException or JsonException or NullReferenceException or KeyNotFoundException or InvalidOperationException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            throw new InvalidOperationException("the gateway did not start: " + await error, e);
        }
    }

    private static bool IsComplete(string text)
    {
        try
        {
            using var _ = JsonDocument.Parse(text);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    public static string CliDll
    {
        get
        {
            var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Name;
            var path = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "Mandate.Cli", configuration, "mandate.dll"));
            Assert.True(File.Exists(path), "the CLI is not built: " + path);
            return path;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        await process.WaitForExitAsync(CancellationToken.None);
        process.Dispose();
    }
}
