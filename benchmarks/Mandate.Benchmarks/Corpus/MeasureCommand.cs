using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mandate.Cedar;

namespace Mandate.Benchmarks.Corpus;

/// <summary>
/// <c>measure DIR</c>: times Mandate.Cedar on an exported corpus, one decision at a time, with the method of
/// benchmarks/compare/measure.mjs (policies, schema and requests prepared first; the clock wraps exactly one call;
/// a time-bounded warm-up per app, a short untimed pass per set). Two modes:
/// <list type="bullet">
/// <item><c>prepared</c> — the entity store is built once per hierarchy, as a server holds it (the product's path).</item>
/// <item><c>per-call</c> — each call parses the entities' JSON and builds the store, then decides: the same work
/// cedar-wasm's statefulIsAuthorized does, whose API takes entities with every call.</item>
/// </list>
/// </summary>
internal static class MeasureCommand
{
    private static readonly HashSet<string> Options = ["--out", "--decisions", "--apps", "--mode", "--warmup-ms"];

    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var line = CommandLine.Parse("measure", args, Options);
        var mode = line.Text("--mode") ?? "prepared";
        if (mode is not ("prepared" or "per-call"))
        {
            throw new UsageException($"measure: --mode is 'prepared' or 'per-call', not '{mode}'.");
        }
        var perCall = mode == "per-call";
        var onlyApps = line.Text("--apps")?.Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        var warmup = TimeSpan.FromMilliseconds(DocsSmoke.Cap(line.Int("--warmup-ms", 1000), 50, "--warmup-ms", error));
        var manifest = CorpusReader.ReadManifest(line.Directory);

        var results = new JsonArray();
        var decisionLines = new StringBuilder();
        foreach (var app in manifest.Apps)
        {
            if (onlyApps is not null && !onlyApps.Contains(app.Name))
            {
                continue;
            }
            var (policies, schema) = CorpusReader.ReadApp(line.Directory, app);
            // The benchmark policies are meant to pass strict validation (the paper's harness checks the same).
            var validation = Validator.Validate(policies, schema);
            foreach (var issue in validation.Errors.Take(5))
            {
                error.WriteLine($"validation error in {app.Name}: {issue}");
            }
            var warmedUp = false;
            foreach (var set in app.Sets)
            {
                var hierarchies = CorpusReader.ReadSet(line.Directory, set, schema);
                var calls = hierarchies.SelectMany(h => h.Requests.Select(r => new Call(r.Request, h.Entities, r.SliceJson ?? h.EntitiesJson))).ToArray();
                // A time-bounded warm-up on the app's first set lets tiered compilation settle; every set then gets a
                // short untimed pass (at most 200 calls) so its own entities and policies are in cache.
                WarmUp(calls, policies, schema, perCall, warmedUp ? TimeSpan.Zero : warmup, Math.Min(calls.Length, 200));
                warmedUp = true;
                var durations = new double[calls.Length];
                var responses = new Response[calls.Length];
                var nanosecondsPerTick = 1e9 / Stopwatch.Frequency;
                var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
                for (var i = 0; i < calls.Length; i++)
                {
                    var call = calls[i];
                    Response response;
                    long start, end;
                    if (perCall)
                    {
                        start = Stopwatch.GetTimestamp();
                        response = Authorizer.IsAuthorized(call.Request, policies, Entities.ParseJson(call.EntitiesJson, schema));
                        end = Stopwatch.GetTimestamp();
                    }
                    else
                    {
                        start = Stopwatch.GetTimestamp();
                        response = Authorizer.IsAuthorized(call.Request, policies, call.Entities);
                        end = Stopwatch.GetTimestamp();
                    }
                    durations[i] = (end - start) * nanosecondsPerTick;
                    responses[i] = response;
                }
                var bytesPerDecision = (GC.GetAllocatedBytesForCurrentThread() - allocatedBefore) / Math.Max(1, calls.Length);
                var timings = DecisionTimings.From(durations);
                var decisions = new string([.. responses.Select(r => r.Decision == Decision.Allow ? 'A' : 'D')]);
                results.Add(new JsonObject
                {
                    ["app"] = app.Name,
                    ["set"] = set.Label,
                    ["entitiesPerType"] = set.EntitiesPerType,
                    ["entities"] = set.Entities,
                    ["policies"] = app.PolicyCount,
                    ["allows"] = decisions.Count(c => c == 'A'),
                    ["failures"] = 0,
                    ["decisions"] = timings.Decisions,
                    ["median_us"] = timings.MedianUs,
                    ["p99_us"] = timings.P99Us,
                    ["mean_us"] = timings.MeanUs,
                    ["bytes_per_decision"] = bytesPerDecision,
                });
                decisionLines.Append(JsonSerializer.Serialize(new JsonObject
                {
                    ["app"] = app.Name,
                    ["set"] = set.Label,
                    ["decisions"] = decisions,
                    ["reasons"] = new JsonArray([.. responses.Select(r => (JsonNode)string.Join(',', r.Reasons.Order(StringComparer.Ordinal)))]),
                    ["errors"] = new JsonArray([.. responses.Select(r => (JsonNode)r.Errors.Count)]),
                })).Append('\n');
                error.WriteLine($"mandate ({mode}) {app.Name} {set.Label}: median {timings.MedianUs} µs, p99 {timings.P99Us} µs, mean {timings.MeanUs} µs over {timings.Decisions} decisions, {bytesPerDecision} B allocated per decision");
            }
        }

        var document = new JsonObject
        {
            ["engine"] = $"Mandate.Cedar ({mode}), .NET {Environment.Version}, {RuntimeInformation.OSDescription}, {Environment.ProcessorCount} cores",
            ["method"] = perCall
                ? "per-decision wall clock around Entities.ParseJson + Authorizer.IsAuthorized; policies and schema parsed once"
                : "per-decision wall clock around one Authorizer.IsAuthorized call; policies, schema and entity store prepared once",
            ["results"] = results,
        };
        var json = document.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
        if (line.Text("--out") is { } outPath)
        {
            File.WriteAllText(outPath, json);
        }
        else
        {
            output.WriteLine(json);
        }
        if (line.Text("--decisions") is { } decisionsPath)
        {
            File.WriteAllText(decisionsPath, decisionLines.ToString());
        }
        return 0;
    }

    /// <summary>Decides calls untimed until the time is up and at least <paramref name="minimumCalls"/> were made.</summary>
    private static void WarmUp(Call[] calls, PolicySet policies, Schema schema, bool perCall, TimeSpan duration, int minimumCalls)
    {
        var until = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        for (var i = 0; i < minimumCalls || Stopwatch.GetTimestamp() < until; i++)
        {
            var call = calls[i % calls.Length];
            var entities = perCall ? Entities.ParseJson(call.EntitiesJson, schema) : call.Entities;
            _ = Authorizer.IsAuthorized(call.Request, policies, entities);
        }
    }

    private sealed record Call(Request Request, Entities Entities, string EntitiesJson);
}
