using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Mandate.Core.Audit;
using Mandate.Core.Storage;
using Mandate.Server;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Cli.Tests.Audit;

/// <summary>
/// The real server process appends under load and is SIGKILLed mid-way; afterwards the chain must verify and every
/// event the server acknowledged must be there at the position it acknowledged. Then the CLI verifies it, catches a
/// tampered row, and verifies and rejects exports.
/// </summary>
public sealed class AuditDurabilityTests
{
    private const int Writers = 8;
    private const int AcknowledgementsBeforeKill = 200;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task KilledServer_ShouldLoseNoAcknowledgedEvent_OnSqlite()
    {
        var state = NewDirectory();
        var path = Path.Combine(state, "ledger.db");
        var store = "sqlite:" + path;

        await RunKillTestAsync(state, store);

        var (code, output, error) = await Cli.RunAsync("audit", "verify", "--store", store);
        Assert.True(code == 0, error);
        Assert.Contains("verified", output, StringComparison.Ordinal);

        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await connection.OpenAsync(Ct);
            await using var command = connection.CreateCommand();
            command.CommandText = "UPDATE audit_log SET reason = 'edited' WHERE seq = 7";
            await command.ExecuteNonQueryAsync(Ct);
        }

        (code, _, error) = await Cli.RunAsync("audit", "verify", "--store", store);
        Assert.Equal(1, code);
        Assert.Contains("does NOT verify at event 7", error, StringComparison.Ordinal);
        Assert.Contains("the event was modified", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KilledServer_ShouldLoseNoAnsweredDecision_OnSqlite()
    {
        // The decision ledger's batches commit without waiting for the disk's sync (AuditDurability = Committed, the
        // default: synchronous = NORMAL in WAL mode); the commit is still in the log when the process dies. Every
        // decision answered 200 (allow or deny: both are recorded) must be in the chain after a SIGKILL under load.
        var state = NewDirectory();
        var store = "sqlite:" + Path.Combine(state, "ledger.db");
        var answered = new ConcurrentDictionary<string, byte>();
        await using (var server = await ServerProcess.StartAsync(state, store, Ct))
        {
            using var client = AdminClient(server);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            var deciders = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
            {
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    var id = $"kill-{w}-{i}";
                    try
                    {
                        using var response = await client.PostAsJsonAsync(
                            "/access/v1/evaluation",
                            new { subject = new { type = "Workload", id = "spiffe://mandate.local/svc/durable" }, action = new { name = "read" }, resource = new { type = "Invoice", id } },
                            stop.Token);
                        if (response.IsSuccessStatusCode)
                        {
                            answered[id] = 0;
                        }
                    }
                    catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException)
                    {
                        return; // The server is gone (or the answer was cut): that decision was never answered.
                    }
                }
            })).ToList();

            var watch = Stopwatch.StartNew();
            while (answered.Count < AcknowledgementsBeforeKill && watch.Elapsed < TimeSpan.FromSeconds(30) && deciders.Any(t => !t.IsCompleted))
            {
                await Task.Delay(20, Ct);
            }

            server.Kill();
            await stop.CancelAsync();
            await Task.WhenAll(deciders);
            Assert.True(answered.Count >= AcknowledgementsBeforeKill, $"only {answered.Count} decisions answered before the kill:\n{server.Log}");
        }

        Assert.True(StoreLocation.TryParse(store, out var location, out _));
        await using var opened = StoreRegistration.Open(location!);
        var result = await AuditStoreVerifier.VerifyAsync(opened, null, Ct);
        Assert.True(result.Verified, result.Failure?.ToString());
        var recorded = new HashSet<string>(StringComparer.Ordinal);
        await using (var session = await opened.BeginAsync(StoreIntent.Read, Ct))
        {
            await foreach (var record in session.Get<IAuditRepository>().ReadAsync(1, Ct))
            {
                var (_, _, e) = AuditCanonicalForm.Parse(record.CanonicalJson);
                if (e.Type == "decision" && e.Resource is { } resource && resource.IndexOf("kill-", StringComparison.Ordinal) is var at and >= 0)
                {
                    recorded.Add(resource[at..].TrimEnd('"'));
                }
            }
        }

        var lost = answered.Keys.Where(id => !recorded.Contains(id)).ToList();
        Assert.True(lost.Count == 0, $"{lost.Count} of {answered.Count} answered decisions are not in the ledger: {string.Join(", ", lost.Take(10))}");
    }

    [Fact]
    public async Task KilledServer_ShouldLoseNoAcknowledgedEvent_OnPostgres()
    {
        var connectionString = await PostgresTestDatabase.CreateSchemaAsync();
        var store = "postgres:" + connectionString;

        await RunKillTestAsync(NewDirectory(), store);

        var (code, output, error) = await Cli.RunAsync("audit", "verify", "--store", store);
        Assert.True(code == 0, error);
        Assert.DoesNotContain("Password", output + error, StringComparison.OrdinalIgnoreCase);
        await PostgresTestDatabase.ExecuteAsync(connectionString, "DELETE FROM audit_log WHERE seq = 5");
        (code, _, error) = await Cli.RunAsync("audit", "verify", "--store", store);
        Assert.Equal(1, code);
        Assert.Contains("at event 6: event 5 is missing", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExportFile_ShouldVerify_AndATruncatedOrEditedCopyShouldNot()
    {
        var state = NewDirectory();
        var store = "sqlite:" + Path.Combine(state, "ledger.db");
        await using (var server = await ServerProcess.StartAsync(state, store, Ct))
        {
            using var client = AdminClient(server);
            for (var i = 0; i < 12; i++)
            {
                (await client.PostAsJsonAsync("/v1/audit/events", new { reason = $"entry {i}" }, Ct)).EnsureSuccessStatusCode();
            }

            (await client.PostAsync(new Uri("/v1/audit/checkpoints", UriKind.Relative), null, Ct)).EnsureSuccessStatusCode();
            var keys = await client.GetStringAsync(new Uri("/v1/audit/keys", UriKind.Relative), Ct);
            await File.WriteAllTextAsync(Path.Combine(state, "keys.json"), keys, Ct);
        }

        var export = Path.Combine(state, "export.jsonl");
        var (code, _, error) = await Cli.RunAsync("audit", "export", "--store", store, "--output", export);
        Assert.True(code == 0, error);
        (code, var output, error) = await Cli.RunAsync("audit", "verify", "--file", export, "--key", Path.Combine(state, "keys.json"));
        Assert.True(code == 0, error);
        Assert.Contains("1 signed checkpoints", output, StringComparison.Ordinal);

        var lines = await File.ReadAllLinesAsync(export, Ct);
        var truncated = Path.Combine(state, "truncated.jsonl");
        await File.WriteAllTextAsync(truncated, string.Join('\n', lines)[..(lines[0].Length + lines[1].Length + 30)], Ct);
        (code, _, error) = await Cli.RunAsync("audit", "verify", "--file", truncated);
        Assert.Equal(1, code);
        Assert.Matches(@"truncated\.jsonl:3:\d+: not valid JSON \(", error);

        var edited = Path.Combine(state, "edited.jsonl");
        await File.WriteAllLinesAsync(edited, lines.Select(l => l.Replace("entry 4", "entry 5", StringComparison.Ordinal)), Ct);
        (code, _, error) = await Cli.RunAsync("audit", "verify", "--file", edited);
        Assert.Equal(1, code);
        var editedLine = Array.FindIndex(lines, l => l.Contains("entry 4", StringComparison.Ordinal));
        var editedSequence = JsonDocument.Parse(lines[editedLine]).RootElement.GetProperty("seq").GetInt64();
        Assert.Contains($"line {editedLine + 1} (event {editedSequence}): the event's hash does not match its content", error, StringComparison.Ordinal);

        var corrupt = Path.Combine(state, "corrupt.jsonl");
        await File.WriteAllBytesAsync(corrupt, [0xff, 0xfe, 0x00, 0x41, 0x0a], Ct);
        (code, _, error) = await Cli.RunAsync("audit", "verify", "--file", corrupt);
        Assert.Equal(1, code);
        Assert.Contains("corrupted", error, StringComparison.Ordinal);

        (code, output, _) = await Cli.RunAsync("audit", "export", "--store", store, "--format", "ocsf");
        Assert.Equal(0, code);
        var first = JsonDocument.Parse(output.Split('\n')[0]).RootElement;
        Assert.True(first.TryGetProperty("class_uid", out _));
    }

    [Theory]
    [InlineData("audit", "verify", "--store", "sqlite:/nonexistent/ledger.db")]
    [InlineData("audit", "verify", "--file", "/nonexistent/export.jsonl")]
    public async Task Verify_ShouldExit1_WithAClearMessage_WhenTheSourceIsMissing(params string[] args)
    {
        var (code, _, error) = await Cli.RunAsync(args);
        Assert.Equal(1, code);
        Assert.Contains("does not exist", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_ShouldBeAUsageError_WithBothStoreAndFile()
    {
        var (code, _, error) = await Cli.RunAsync("audit", "verify", "--store", "sqlite:x.db", "--file", "x.jsonl");
        Assert.Equal(2, code);
        Assert.Contains("give one of --store, --file and --proof", error, StringComparison.Ordinal);
    }

    private static async Task RunKillTestAsync(string state, string store)
    {
        var acknowledged = new ConcurrentDictionary<string, (long Sequence, string Hash)>();
        await using (var server = await ServerProcess.StartAsync(state, store, Ct))
        {
            using var client = AdminClient(server);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
            {
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    var marker = $"w{w}-{i}";
                    try
                    {
                        using var response = await client.PostAsJsonAsync("/v1/audit/events", new { reason = "load", details = new Dictionary<string, string> { ["marker"] = marker } }, stop.Token);
                        if (response.IsSuccessStatusCode)
                        {
                            var body = await response.Content.ReadFromJsonAsync<JsonElement>(stop.Token);
                            acknowledged[marker] = (body.GetProperty("seq").GetInt64(), body.GetProperty("hash").GetString()!);
                        }
                    }
                    catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException or JsonException)
                    {
                        return; // The server is gone (or the answer was cut): that event was never acknowledged.
                    }
                }
            })).ToList();

            var watch = Stopwatch.StartNew();
            while (acknowledged.Count < AcknowledgementsBeforeKill && watch.Elapsed < TimeSpan.FromSeconds(30) && writers.Any(t => !t.IsCompleted))
            {
                await Task.Delay(20, Ct);
            }

            server.Kill();
            await stop.CancelAsync();
            await Task.WhenAll(writers);
            Assert.True(acknowledged.Count >= AcknowledgementsBeforeKill, $"only {acknowledged.Count} events acknowledged before the kill:\n{server.Log}");
        }

        Assert.True(StoreLocation.TryParse(store, out var location, out _));
        await using var opened = StoreRegistration.Open(location!);
        var result = await AuditStoreVerifier.VerifyAsync(opened, null, Ct);
        Assert.True(result.Verified, result.Failure?.ToString());

        var found = new Dictionary<string, (long Sequence, string Hash)>();
        await using (var session = await opened.BeginAsync(StoreIntent.Read, Ct))
        {
            await foreach (var record in session.Get<IAuditRepository>().ReadAsync(1, Ct))
            {
                var (_, _, e) = AuditCanonicalForm.Parse(record.CanonicalJson);
                if (e.Details?.TryGetValue("marker", out var marker) == true)
                {
                    found[marker] = (record.Sequence, record.Hash);
                }
            }
        }

        var lost = acknowledged.Where(a => !found.TryGetValue(a.Key, out var f) || f != a.Value).Select(a => a.Key).ToList();
        Assert.True(lost.Count == 0, $"{lost.Count} acknowledged events are missing or moved: {string.Join(", ", lost.Take(10))}");
    }

    private static HttpClient AdminClient(ServerProcess server)
    {
        var client = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(30) };
        var token = File.ReadAllText(Path.Combine(server.StateDirectory, "admin.token")).Trim();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static string NewDirectory()
    {
        var directory = Path.Combine(Path.GetTempPath(), "mandate-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        return directory;
    }
}
