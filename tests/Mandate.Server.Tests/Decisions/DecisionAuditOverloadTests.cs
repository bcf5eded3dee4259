using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Mandate.Core.Audit;
using Mandate.Core.Decisions;
using Mandate.Core.Storage;
using Mandate.Core.Telemetry;
using Mandate.Server.Storage;
using Mandate.Server.Tests.Infrastructure;
using Mandate.Tests.Shared;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Mandate.Server.Tests.Decisions;

/// <summary>
/// More decisions than the ledger can take, over real HTTP: by default every answered decision is in the chain (the
/// deciders wait for room, and past <c>AuditQueueWaitTimeout</c> are refused with 503 <c>audit-unavailable</c>, never
/// answered unaudited); only with the operator's <c>AuditOverflow = DropAllows</c> or sampling do allows go unwritten,
/// and then the chain holds counted <c>audit.dropped</c>/<c>audit.sampled</c> events that make up the difference.
/// The store is slowed (a delay per decision record) so the writer is the bottleneck whatever the machine.
/// </summary>
public sealed class DecisionAuditOverloadTests
{
    private const string Agent = "spiffe://demo.mandate.local/agent/support-assistant";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ByDefault_EveryAnsweredDecision_ShouldBeInTheChain_WhenTheWriterCannotKeepUp()
    {
        // 100 records/s at most: slower than the requests even on a saturated machine. The wait timeout is long so that
        // only backpressure, never a refusal, is in play here.
        var slow = new SlowDecisionRecords(perRecord: TimeSpan.FromMilliseconds(10));
        await using var server = await StartAsync(slow, ("Mandate:Decisions:AuditQueueCapacity", "16"), ("Mandate:Decisions:AuditQueueWaitTimeout", "00:00:25"));
        using var waits = new CounterReading(server, "mandate.audit.queue_waits");

        var answers = await DecideManyAsync(server, "bp", requests: 200, concurrency: 32);

        Assert.All(answers.Values, status => Assert.Equal(HttpStatusCode.OK, status));
        await server.Services.GetRequiredService<DecisionAuditQueue>().FlushAsync(Ct);
        var chain = await ChainAsync(server.Options);
        var written = chain.Count(e => Type(e) == "decision" && RequestId(e)?.StartsWith("bp-", StringComparison.Ordinal) == true);
        Assert.Equal(answers.Count, written);
        Assert.DoesNotContain(chain, e => Type(e) is AuditLossCounter.DroppedType or AuditLossCounter.SampledType);

        // The load really was more than the writer could take: deciders waited for room.
        Assert.True(waits.Total > 0, "no decision ever found the audit queue full; the test did not overload the writer");
    }

    [Fact]
    public async Task ByDefault_ADecisionTheLedgerCannotTake_ShouldBeRefusedWith503_AndNeverAnsweredUnaudited()
    {
        var slow = new SlowDecisionRecords(perRecord: TimeSpan.Zero);
        slow.Block();
        // Queued: answers that found room are given while the writer is held (with Committed they would all wait).
        await using var server = await StartAsync(
            slow,
            ("Mandate:Decisions:AuditDurability", "Queued"),
            ("Mandate:Decisions:AuditQueueCapacity", "16"),
            ("Mandate:Decisions:AuditQueueWaitTimeout", "00:00:00.3"));
        using var refusedCounter = new CounterReading(server, "mandate.audit.refused");

        var answers = await DecideManyAsync(server, "gate", requests: 80, concurrency: 16);
        slow.Release();

        var refused = answers.Where(a => a.Value == HttpStatusCode.ServiceUnavailable).Select(a => a.Key).ToHashSet();
        var answered = answers.Where(a => a.Value == HttpStatusCode.OK).Select(a => a.Key).ToHashSet();
        Assert.NotEmpty(refused);
        Assert.NotEmpty(answered);
        Assert.Equal(answers.Count, refused.Count + answered.Count);
        Assert.Equal(refused.Count, refusedCounter.Total);

        await server.Services.GetRequiredService<DecisionAuditQueue>().FlushAsync(Ct);
        var inChain = (await ChainAsync(server.Options))
            .Where(e => Type(e) == "decision")
            .Select(RequestId)
            .Where(id => id?.StartsWith("gate-", StringComparison.Ordinal) == true)
            .ToHashSet();
        Assert.Equal(answered.OrderBy(x => x, StringComparer.Ordinal), inChain.OrderBy(x => x, StringComparer.Ordinal));
    }

    [Fact]
    public async Task Refusal_ShouldBeAProblemDetails503_WithRetryAfter()
    {
        var slow = new SlowDecisionRecords(perRecord: TimeSpan.Zero);
        slow.Block();
        await using var server = await StartAsync(
            slow,
            ("Mandate:Decisions:AuditQueueCapacity", "16"),
            ("Mandate:Decisions:AuditQueueWaitTimeout", "00:00:00.2"));
        HttpResponseMessage? refusal = null;
        try
        {
            // The writer holds one blocked batch and the queue sixteen more; a later decision cannot be queued.
            for (var i = 0; i < 600 && refusal is null; i++)
            {
                var response = await PostAsync(server.Client, "one-" + i.ToString(CultureInfo.InvariantCulture));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    response.Dispose();
                    continue;
                }

                refusal = response;
            }

            Assert.NotNull(refusal);
            await ProblemAssert.ProblemAsync(refusal, HttpStatusCode.ServiceUnavailable, "audit-unavailable");
            Assert.Equal("1", refusal.Headers.RetryAfter?.ToString());
        }
        finally
        {
            refusal?.Dispose();
            slow.Release();
        }
    }

    [Fact]
    public async Task WithDropAllowsAndSampling_AnsweredShouldEqualWrittenPlusTheCountsInTheChain_IncludingAtShutdown()
    {
        // 50 records/s at most: the queue overflows even when the machine is saturated and requests come slowly.
        var slow = new SlowDecisionRecords(perRecord: TimeSpan.FromMilliseconds(20));
        Dictionary<string, HttpStatusCode> answers;
        long unwrittenMetric;
        MandateServerOptions options;
        await using (var server = await StartAsync(
            slow,
            ("Mandate:Decisions:AuditQueueCapacity", "16"),
            ("Mandate:Decisions:AuditOverflow", "DropAllows"),
            ("Mandate:Decisions:AuditAllowSampleRate", "0.5"),
            ("Mandate:Decisions:AuditLossReportInterval", "01:00:00")))
        {
            options = server.Options;
            using var unwritten = new CounterReading(server, "mandate.audit.unwritten");
            answers = await DecideManyAsync(server, "lossy", requests: 300, concurrency: 32);
            unwrittenMetric = unwritten.Total;

            // No flush: the counts (the report interval is an hour) are written by the writer at shutdown.
        }

        Assert.All(answers.Values, status => Assert.Equal(HttpStatusCode.OK, status));
        var chain = await ChainAsync(options);
        var written = chain.Count(e => Type(e) == "decision" && RequestId(e)?.StartsWith("lossy-", StringComparison.Ordinal) == true);
        var dropped = Counted(chain, AuditLossCounter.DroppedType);
        var sampled = Counted(chain, AuditLossCounter.SampledType);
        Assert.True(dropped > 0, "no allow was dropped; the test did not overload the writer");
        Assert.True(sampled > 0, "no allow was sampled out");
        Assert.Equal(answers.Count, written + dropped + sampled);
        Assert.Equal(dropped + sampled, unwrittenMetric);
        Assert.All(
            chain.Where(e => Type(e) is AuditLossCounter.DroppedType or AuditLossCounter.SampledType),
            e =>
            {
                var details = e.GetProperty("details");
                Assert.Equal("decision", details.GetProperty("of_type").GetString());
                Assert.Equal("allow", details.GetProperty("of_decision").GetString());
            });
    }

    [Theory]
    [InlineData("Committed")]
    [InlineData("Flushed")]
    public async Task CommittedOrFlushed_EveryAllowAnswered200_ShouldAlreadyBeInTheLedger_WhenTheAnswerArrives(string durability)
    {
        // Committed is the default durability; Flushed also waits for the sync. Each record takes 5 ms to write, so an
        // answer given before the commit (Queued) would arrive while its record is still being written and this test
        // would see it missing.
        var slow = new SlowDecisionRecords(perRecord: TimeSpan.FromMilliseconds(5));
        await using var server = await StartAsync(slow, ("Mandate:Decisions:AuditDurability", durability));
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 8 }) { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(60) };
        var next = -1;
        var checkedAnswers = 0;
        var workers = Enumerable.Range(0, 8).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < 48)
            {
                var id = "durable-" + i.ToString(CultureInfo.InvariantCulture);
                using var response = await PostAsync(client, id);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);

                // Read right after the answer, no waiting: the record is committed already.
                Assert.True(await InLedgerAsync(server.Options, id), $"decision {id} was answered 200 before its record was committed");
                Interlocked.Increment(ref checkedAnswers);
            }
        });
        await Task.WhenAll(workers);
        Assert.Equal(48, checkedAnswers);
    }

    [Fact]
    public async Task Committed_AStoreThatFailsToCommit_ShouldAnswer503ProblemDetails_NeverAnAllow()
    {
        var slow = new SlowDecisionRecords(perRecord: TimeSpan.Zero);
        await using var server = await StartAsync(slow, ("Mandate:Decisions:AuditQueueWaitTimeout", "00:00:00.5"));
        using var refusedCounter = new CounterReading(server, "mandate.audit.refused");
        slow.FailWrites();
        try
        {
            // The queue has room: each decision is refused because its batch never commits, not for want of room.
            var answers = await DecideManyAsync(server, "broken", requests: 12, concurrency: 4);
            Assert.All(answers.Values, status => Assert.Equal(HttpStatusCode.ServiceUnavailable, status));
            using var refusal = await PostAsync(server.Client, "broken-last");
            await ProblemAssert.ProblemAsync(refusal, HttpStatusCode.ServiceUnavailable, "audit-unavailable");
            Assert.True(refusedCounter.Total >= 1);
        }
        finally
        {
            slow.HealWrites();
        }

        // Once the store commits again and the writer's retry (backoff) has written what it holds, decisions are answered:
        // nothing stays refused. The refused decisions' records may be written too (a refused decision in the ledger,
        // never an answered one missing from it).
        await server.Services.GetRequiredService<DecisionAuditQueue>().FlushAsync(Ct);
        using var healed = await PostAsync(server.Client, "healed");
        Assert.Equal(HttpStatusCode.OK, healed.StatusCode);
        Assert.True(await InLedgerAsync(server.Options, "healed"));
    }

    [Fact]
    public async Task Queued_AnswersBeforeTheCommit_TheRecordIsWrittenAfterwards()
    {
        var slow = new SlowDecisionRecords(perRecord: TimeSpan.Zero);
        slow.Block();
        await using var server = await StartAsync(slow, ("Mandate:Decisions:AuditDurability", "Queued"));
        try
        {
            // The writer cannot commit anything while blocked; the answer still comes.
            using var response = await PostAsync(server.Client, "queued-1");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.False(await InLedgerAsync(server.Options, "queued-1"));
        }
        finally
        {
            slow.Release();
        }

        await server.Services.GetRequiredService<DecisionAuditQueue>().FlushAsync(Ct);
        Assert.True(await InLedgerAsync(server.Options, "queued-1"));
    }

    [Fact]
    public async Task Committed_ABlockedWriter_ShouldHoldTheAnswerUntilTheCommit()
    {
        var slow = new SlowDecisionRecords(perRecord: TimeSpan.Zero);
        slow.Block();
        await using var server = await StartAsync(slow, ("Mandate:Decisions:AuditQueueWaitTimeout", "00:00:30"));
        var answer = PostAsync(server.Client, "held-1");

        // The writer is blocked in the record write, so the decision cannot have been committed: no answer yet. The
        // check is not timing-based for correctness (an early answer would be a failure whenever it is observed).
        await Task.Delay(TimeSpan.FromMilliseconds(300), Ct);
        Assert.False(answer.IsCompleted, "the decision was answered while its record could not be committed");
        slow.Release();
        using var response = await answer;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(await InLedgerAsync(server.Options, "held-1"));
    }

    private static async Task<bool> InLedgerAsync(MandateServerOptions options, string requestId)
    {
        var chain = await ChainAsync(options);
        return chain.Any(e => Type(e) == "decision" && RequestId(e) == requestId);
    }

    private static long Counted(List<JsonElement> chain, string type) =>
        chain.Where(e => Type(e) == type)
            .Sum(e => long.Parse(e.GetProperty("details").GetProperty("count").GetString()!, CultureInfo.InvariantCulture));

    private static async Task<MandateTestServer> StartAsync(SlowDecisionRecords slow, params (string Key, string Value)[] settings)
    {
        // Every request is allowed: allows are the decisions an operator may choose to drop or sample.
        var data = Path.Combine(Path.GetTempPath(), "mandate-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);
        await File.WriteAllTextAsync(Path.Combine(data, "allow.cedar"), "@id(\"allow-all\")\npermit (principal, action, resource);\n", Ct);
        return await MandateTestServer.StartAsync(
            o =>
            {
                o.Demo = true;
                o.DataDirectory = data;
            },
            b =>
            {
                b.Configuration.AddInMemoryCollection(settings.ToDictionary(s => s.Key, s => (string?)s.Value));
                b.Services.TryAddSingleton<AuditTrail>();
                b.Services.Replace(ServiceDescriptor.Singleton<IAuditTrail>(sp => new SlowedAuditTrail(sp.GetRequiredService<AuditTrail>(), slow)));
            });
    }

    private static async Task<Dictionary<string, HttpStatusCode>> DecideManyAsync(MandateTestServer server, string prefix, int requests, int concurrency)
    {
        var answers = new ConcurrentDictionary<string, HttpStatusCode>(StringComparer.Ordinal);
        var next = -1;
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency }) { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(60) };
        var workers = Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < requests)
            {
                var id = prefix + "-" + i.ToString(CultureInfo.InvariantCulture);
                using var response = await PostAsync(client, id);
                answers[id] = response.StatusCode;
            }
        });
        await Task.WhenAll(workers);
        return new Dictionary<string, HttpStatusCode>(answers, StringComparer.Ordinal);
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, string requestId)
    {
        var json = JsonSerializer.Serialize(new
        {
            subject = new { type = "Workload", id = Agent },
            action = new { name = "read" },
            resource = new { type = "Dataset", id = "kb-articles" },
        });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/access/v1/evaluation") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("X-Request-ID", requestId);
        var response = await client.SendAsync(request, Ct);
        if (response.StatusCode == HttpStatusCode.OK)
        {
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
            Assert.True(body.RootElement.GetProperty("decision").GetBoolean());
        }

        return response;
    }

    /// <summary>The whole chain, read from the store as the CLI would (the server may be stopped).</summary>
    private static async Task<List<JsonElement>> ChainAsync(MandateServerOptions options)
    {
        await using var store = StoreRegistration.Open(options.EffectiveStore);
        await using var session = await store.BeginAsync(StoreIntent.Read, Ct);
        var found = new List<JsonElement>();
        await foreach (var record in session.Get<IAuditRepository>().ReadAsync(1, Ct))
        {
            found.Add(JsonDocument.Parse(record.CanonicalJson).RootElement.Clone());
        }

        return found;
    }

    private static string Type(JsonElement e) => e.GetProperty("type").GetString()!;

    private static string? RequestId(JsonElement e) => e.TryGetProperty("request_id", out var id) ? id.GetString() : null;

    /// <summary>Slows (or holds) the writing of decision records: a store that cannot keep up.</summary>
    private sealed class SlowDecisionRecords(TimeSpan perRecord)
    {
        private volatile TaskCompletionSource gate = Open();
        private volatile bool failing;

        public void FailWrites() => failing = true;

        public void HealWrites() => failing = false;

        public void Block() => gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => gate.TrySetResult();

        public async Task BeforeAsync(IReadOnlyList<AuditEvent> events)
        {
            var decisions = events.Count(e => e.Type == "decision");
            if (decisions == 0)
            {
                return;
            }

            await gate.Task;
            if (failing)
            {
                throw new InvalidOperationException("injected: the store does not commit");
            }

            if (perRecord > TimeSpan.Zero)
            {
                await Task.Delay(perRecord * decisions);
            }
        }

        private static TaskCompletionSource Open()
        {
            var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            open.SetResult();
            return open;
        }
    }

    private sealed class SlowedAuditTrail(IAuditTrail inner, SlowDecisionRecords slow) : IAuditTrail
    {
        public async Task<AuditRecord> RecordAsync(IStoreSession session, AuditEvent auditEvent, CancellationToken cancellationToken)
        {
            await slow.BeforeAsync([auditEvent]);
            return await inner.RecordAsync(session, auditEvent, cancellationToken);
        }

        public async Task<IReadOnlyList<AuditRecord>> RecordManyAsync(IStoreSession session, IReadOnlyList<AuditEvent> auditEvents, CancellationToken cancellationToken)
        {
            await slow.BeforeAsync(auditEvents);
            return await inner.RecordManyAsync(session, auditEvents, cancellationToken);
        }

        public async ValueTask<IReadOnlyList<AuditRecord>?> TryRecordManyOnHeadAsync(IStoreSession session, IReadOnlyList<AuditEvent> auditEvents, (long Sequence, string Hash) head, CancellationToken cancellationToken)
        {
            await slow.BeforeAsync(auditEvents);
            return await inner.TryRecordManyOnHeadAsync(session, auditEvents, head, cancellationToken);
        }

        public Task<IReadOnlyList<AuditRecord>> RecordManyAlongsideAsync(IStoreSession session, Func<IReadOnlyList<AuditEvent>> build, Func<Task> alongside, CancellationToken cancellationToken) =>
            inner.RecordManyAlongsideAsync(session, build, alongside, cancellationToken);

        public Task<AuditRecord> AppendAsync(AuditEvent auditEvent, CancellationToken cancellationToken) => inner.AppendAsync(auditEvent, cancellationToken);
    }

    /// <summary>Sums one counter of this server's own meter (other servers in the process have meters of their own).</summary>
    private sealed class CounterReading : IDisposable
    {
        private readonly MeterListener listener = new();
        private long total;

        public CounterReading(MandateTestServer server, string name)
        {
            var meter = server.Services.GetRequiredService<MandateMetrics>().Meter;
            listener.InstrumentPublished = (instrument, l) =>
            {
                if (ReferenceEquals(instrument.Meter, meter) && instrument.Name == name)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            };
            listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref total, value));
            listener.Start();
        }

        public long Total => Interlocked.Read(ref total);

        public void Dispose() => listener.Dispose();
    }
}
