using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Mandate.Cli.Tests.Audit;

/// <summary>
/// The real <c>mandate serve</c> in its own process (the mandate.dll built next to the tests), on a loopback port,
/// so a test can SIGKILL it.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder log = new();

    private ServerProcess(Process process, Uri address, string stateDirectory)
    {
        this.process = process;
        Address = address;
        StateDirectory = stateDirectory;
    }

    public Uri Address { get; }

    public string StateDirectory { get; }

    public string Log
    {
        get
        {
            lock (log)
            {
                return log.ToString();
            }
        }
    }

    public static Task<ServerProcess> StartAsync(string stateDirectory, string store, CancellationToken cancellationToken) =>
        StartAsync(stateDirectory, ["--store", store], new Dictionary<string, string>(), cancellationToken);

    /// <summary>
    /// <c>mandate serve --urls (a free port) --state DIR ARGUMENTS</c> with <paramref name="environment"/> added to this
    /// process's; on https when <paramref name="tls"/> gives the handler that trusts the server's certificate.
    /// </summary>
    public static async Task<ServerProcess> StartAsync(string stateDirectory, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken, Func<HttpMessageHandler>? tls = null)
    {
        var port = FreePort();
        var address = new Uri($"{(tls is null ? "http" : "https")}://127.0.0.1:{port}/");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "mandate.dll"), "serve", "--urls", address.ToString().TrimEnd('/'), "--state", stateDirectory }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet mandate.dll");
        var server = new ServerProcess(process, address, stateDirectory);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var client = new HttpClient(tls?.Invoke() ?? new HttpClientHandler(), disposeHandler: true) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"mandate serve exited with {process.ExitCode}:\n{server.Log}");
            }

            try
            {
                // /healthz answers as soon as the server listens; requests are served once start-up is over,
                // which /readyz tells (any answer but "starting").
                using var response = await client.GetAsync(new Uri("/readyz", UriKind.Relative), cancellationToken);
                if (response.IsSuccessStatusCode || !(await response.Content.ReadAsStringAsync(cancellationToken)).Contains("\"starting\"", StringComparison.Ordinal))
                {
                    return server;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Slow first request.
            }

            await Task.Delay(100, cancellationToken);
        }

        process.Kill(entireProcessTree: true);
        throw new TimeoutException($"mandate serve did not finish starting (/readyz) within 60 s:\n{server.Log}");
    }

    /// <summary>SIGKILL: no shutdown hooks, no flushing, no final checkpoint.</summary>
    public void Kill()
    {
        process.Kill(entireProcessTree: true);
        process.WaitForExit(10_000);
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            Kill();
        }

        process.Dispose();
        await Task.CompletedTask;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            log.AppendLine(line);
        }
    }
}
