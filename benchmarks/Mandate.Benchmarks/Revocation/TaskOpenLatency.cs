using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Mandate.Core.Identity;
using Mandate.Core.Identity.Inventory;
using Mandate.Core.Identity.Keys;
using Mandate.Core.Identity.Svid;
using Mandate.Core.Storage;
using Mandate.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Benchmarks.Revocation;

/// <summary>
/// <c>task-latency [N]</c>: a bounded load driver. Starts Mandate in-process on 127.0.0.1 (SQLite in a temporary
/// directory, a one-rule policy allowing OpenTask), then times N sequential <c>POST /v1/tasks</c> (Cedar decision,
/// credential signed, task + credential + audit committed) against N <c>GET /healthz</c> on the same connection as
/// the loopback comparator. Prints p50/p99/mean in milliseconds; stops by itself.
/// </summary>
internal static class TaskOpenLatency
{
    private const string Agent = "spiffe://demo.mandate.local/agent/support-assistant";

    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        var count = DocsSmoke.Cap(args.Length > 1 && int.TryParse(args[1], out var n) ? Math.Clamp(n, 10, 100_000) : 1000, 20, "requests", Console.Error);
        var warmUp = DocsSmoke.Size(50, 5);
        var root = Path.Combine(Path.GetTempPath(), "mandate-task-latency-" + Guid.NewGuid().ToString("N"));
        var data = Path.Combine(root, "data");
        Directory.CreateDirectory(data);
        await File.WriteAllTextAsync(Path.Combine(data, "policies.cedar"), "permit (principal, action == Action::\"OpenTask\", resource is Task);");
        await File.WriteAllTextAsync(Path.Combine(data, "entities.json"), "[]");
        var app = await MandateServer.CreateAsync(new MandateServerOptions
        {
            Urls = "http://127.0.0.1:0",
            StateDirectory = Path.Combine(root, "state"),
            DataDirectory = data,
            Demo = true,
        });
        await app.StartAsync();
        try
        {
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            await RegisterAsync(app);
            var svid = app.Services.GetRequiredService<JwtSvidIssuer>()
                .Issue(SpiffeId.Parse(Agent), [app.Services.GetRequiredService<IKeyRing>().Issuer], TimeSpan.FromHours(1)).Token;
            using var client = new HttpClient { BaseAddress = new Uri(address) };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", svid);
            var body = new
            {
                intent = new { description = "latency", actions = new[] { "read" }, resources = new[] { "Ticket" }, sensitivity_ceiling = "low" },
                ttl_seconds = 600,
            };

            // Warm up both paths (JIT, connection, SQLite pages) before timing.
            for (var i = 0; i < warmUp; i++)
            {
                (await client.PostAsJsonAsync("/v1/tasks", body)).EnsureSuccessStatusCode();
                (await client.GetAsync("/healthz")).EnsureSuccessStatusCode();
            }

            var open = new double[count];
            var health = new double[count];
            for (var i = 0; i < count; i++)
            {
                var started = Stopwatch.GetTimestamp();
                using (var response = await client.PostAsJsonAsync("/v1/tasks", body))
                {
                    response.EnsureSuccessStatusCode();
                    await response.Content.ReadAsByteArrayAsync();
                }

                open[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                started = Stopwatch.GetTimestamp();
                using (var response = await client.GetAsync("/healthz"))
                {
                    response.EnsureSuccessStatusCode();
                    await response.Content.ReadAsByteArrayAsync();
                }

                health[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }

            output.WriteLine($"requests: {count} sequential, loopback HTTP/1.1, SQLite store");
            output.WriteLine($"{"path",-34} {"p50 ms",8} {"p99 ms",8} {"mean ms",8}");
            Print(output, "POST /v1/tasks (open + credential)", open);
            Print(output, "GET /healthz (loopback comparator)", health);
            return 0;
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    private static async Task RegisterAsync(WebApplication app)
    {
        var now = DateTimeOffset.UtcNow;
        var identity = new WorkloadIdentity
        {
            SpiffeId = Agent,
            Kind = NhiKind.Agent,
            Owner = "team:support",
            Purpose = "latency driver",
            Environment = "bench",
            Status = IdentityStatus.Active,
            CreatedAt = now,
            ExpiresAt = now.AddDays(1),
            UpdatedAt = now,
        };
        var store = app.Services.GetRequiredService<IMandateStore>();
        await using (var session = await store.BeginAsync(StoreIntent.Write, CancellationToken.None))
        {
            if (await session.Get<IIdentityRepository>().GetAsync(Agent, CancellationToken.None) is null)
            {
                await session.Get<IIdentityRepository>().InsertAsync(identity, CancellationToken.None);
            }

            await session.CommitAsync(CancellationToken.None);
        }

        app.Services.GetRequiredService<IdentityDirectory>().Apply(identity);
    }

    private static void Print(TextWriter output, string name, double[] samples)
    {
        var sorted = samples.Order().ToArray();
        output.WriteLine($"{name,-34} {sorted[(int)(sorted.Length * 0.50)],8:F2} {sorted[Math.Min(sorted.Length - 1, (int)(sorted.Length * 0.99))],8:F2} {samples.Average(),8:F2}");
    }
}
