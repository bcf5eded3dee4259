using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Mandate.Cli.Tests.Faults;

/// <summary>
/// A bounded load over the nodes of a <see cref="ProcessCluster"/>, remembering every answer: decision clients (each
/// bound to one node, asking one at a time about a resource of its own, so each decision's ledger record can be
/// found), and one writer each for identity suspensions, credential revocations and policy activations, which goes
/// round the nodes still alive. An answer the phase of the test does not explain (<see cref="Tolerates"/>) is
/// <see cref="Unexpected"/>.
/// </summary>
internal sealed class ClusterLoad : IAsyncDisposable
{
    /// <summary>Between two suspensions (or revocations): the identities prepared last a few seconds of load, whatever the machine's speed.</summary>
    private static readonly TimeSpan WritePause = TimeSpan.FromMilliseconds(250);

    private readonly ProcessCluster cluster;
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly List<Task> workers = [];
    private readonly CancellationTokenSource stop = new();
    private bool stopped;

    public ClusterLoad(ProcessCluster cluster) => this.cluster = cluster;

    /// <summary>Time since the load was created, the one clock every answer is stamped with.</summary>
    public TimeSpan Now => clock.Elapsed;

    /// <summary>Decides whether a refused or failed request is explained: (node, what, status or null for no answer, problem code).</summary>
    public Func<int, string, HttpStatusCode?, string?, bool> Tolerates { get; set; } = (_, _, _, _) => false;

    public ConcurrentQueue<string> Unexpected { get; } = new();

    /// <summary>Every decision answered 200 allow.</summary>
    public ConcurrentQueue<Decision> Allowed { get; } = new();

    /// <summary>Every decision answered with anything else (or not answered: status null).</summary>
    public ConcurrentQueue<(int Node, TimeSpan SentAt, HttpStatusCode? Status, string? Code)> NotAllowed { get; } = new();

    /// <summary>SPIFFE IDs whose suspension was acknowledged (200), with the node that acknowledged it.</summary>
    public ConcurrentQueue<(string SpiffeId, string Svid, int Node, TimeSpan At)> Suspended { get; } = new();

    /// <summary>JWT-SVIDs whose revocation was acknowledged (200 from <c>/oauth2/revoke</c> with the admin's authority).</summary>
    public ConcurrentQueue<(string Svid, int Node, TimeSpan At)> Revoked { get; } = new();

    /// <summary>Policy generations in the order they were sent, and which were acknowledged (200) with their version.</summary>
    public ConcurrentQueue<(int Generation, int Node, string? Version, TimeSpan At)> Activations { get; } = new();

    public void Start(int decisionClientsPerNode, IReadOnlyList<(string SpiffeId, string Svid)> toSuspend, IReadOnlyList<(string SpiffeId, string Svid)> toRevoke, int firstGeneration)
    {
        foreach (var node in cluster.Alive.ToList())
        {
            for (var c = 0; c < decisionClientsPerNode; c++)
            {
                var client = c;
                workers.Add(Task.Run(() => DecideAsync(node, client)));
            }
        }

        workers.Add(Task.Run(() => SuspendAsync(toSuspend)));
        workers.Add(Task.Run(() => RevokeAsync(toRevoke)));
        workers.Add(Task.Run(() => ActivateAsync(firstGeneration)));
    }

    /// <summary>Stops every worker and waits for them (once; also when a failing test leaves early).</summary>
    public async Task StopAsync()
    {
        if (stopped)
        {
            return;
        }

        stopped = true;
        await stop.CancelAsync();
        await Task.WhenAll(workers);
        stop.Dispose();
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private async Task DecideAsync(int node, int client)
    {
        using var http = cluster.Client(node, admin: false);
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            var resource = $"d{node}-c{client}-{n}";
            var sent = Now;
            var json = $$$"""{"subject":{"type":"Workload","id":"spiffe://{{{ProcessCluster.TrustDomain}}}/svc/reader"},"action":{"name":"read"},"resource":{"type":"Invoice","id":"{{{resource}}}"}}""";
            try
            {
                using var content = ProcessCluster.Json(json);
                using var response = await http.PostAsync(new Uri("/access/v1/evaluation", UriKind.Relative), content, stop.Token);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    var body = await response.Content.ReadFromJsonAsync<JsonElement>(stop.Token);
                    if (body.GetProperty("decision").GetBoolean())
                    {
                        Allowed.Enqueue(new Decision(node, client, n, resource, sent, Now));
                    }
                    else
                    {
                        // Every policy generation allows this: a deny means a node decided on something else.
                        Unexpected.Enqueue($"decision {resource} at node {node}: deny");
                    }
                }
                else
                {
                    var code = await ProcessCluster.ProblemCodeAsync(response, stop.Token);
                    NotAllowed.Enqueue((node, sent, response.StatusCode, code));
                    Check(node, "decision " + resource, response.StatusCode, code);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                NotAllowed.Enqueue((node, sent, null, e.GetType().Name));
                Check(node, "decision " + resource, null, e.Message);
                if (cluster.Alive.All(n => n != node))
                {
                    return;
                }
            }

            await Task.Delay(5, CancellationToken.None);
        }
    }

    private async Task SuspendAsync(IReadOnlyList<(string SpiffeId, string Svid)> identities)
    {
        var node = -1;
        foreach (var (id, svid) in identities)
        {
            // A write refused as expected (the store is down, its node was killed) is sent again, to the next node.
            do
            {
                if (stop.IsCancellationRequested)
                {
                    return;
                }

                NextNode(ref node);
                await Task.Delay(WritePause, CancellationToken.None);
            }
            while (!await WriteAsync(node, "suspend " + id, http => http.PostAsJsonAsync("/v1/identities/suspend", new { spiffe_id = id, reason = "fault test" }, stop.Token), () => Suspended.Enqueue((id, svid, node, Now))));
        }
    }

    private async Task RevokeAsync(IReadOnlyList<(string SpiffeId, string Svid)> credentials)
    {
        var node = 0;
        foreach (var (id, svid) in credentials)
        {
            do
            {
                if (stop.IsCancellationRequested)
                {
                    return;
                }

                NextNode(ref node);
                await Task.Delay(WritePause, CancellationToken.None);
            }
            while (!await WriteAsync(
                node,
                "revoke the SVID of " + id,
                http => http.PostAsync(new Uri("/oauth2/revoke", UriKind.Relative), new FormUrlEncodedContent([new("token", svid)]), stop.Token),
                () => Revoked.Enqueue((svid, node, Now))));
        }
    }

    private async Task ActivateAsync(int firstGeneration)
    {
        var node = 1;
        for (var generation = firstGeneration; !stop.IsCancellationRequested; generation++)
        {
            NextNode(ref node);
            string? version = null;
            var g = generation;
            _ = await WriteAsync(
                node,
                "activate policy generation " + g,
                http => http.PutAsJsonAsync("/v1/policies", ProcessCluster.PolicyBundle(g), stop.Token),
                () => { },
                async response => version = (await response.Content.ReadFromJsonAsync<JsonElement>(CancellationToken.None)).GetProperty("version").GetString());
            Activations.Enqueue((generation, node, version, Now));
            await Task.Delay(150, CancellationToken.None);
        }
    }

    /// <summary>The next node still alive after <paramref name="previous"/>, round the cluster.</summary>
    private int NextNode(ref int previous)
    {
        var alive = cluster.Alive.ToList();
        var last = previous;
        previous = alive.FirstOrDefault(n => n > last, alive[0]);
        return previous;
    }

    /// <summary>Sends one write; false when it was refused or failed in a way the test expects (so it is worth sending again).</summary>
    private async Task<bool> WriteAsync(int node, string what, Func<HttpClient, Task<HttpResponseMessage>> send, Action acknowledged, Func<HttpResponseMessage, Task>? read = null)
    {
        using var http = cluster.Client(node);
        try
        {
            using var response = await send(http);
            if (response.IsSuccessStatusCode)
            {
                if (read is not null)
                {
                    await read(response);
                }

                acknowledged();
                return true;
            }

            return !Check(node, what, response.StatusCode, await ProcessCluster.ProblemCodeAsync(response, CancellationToken.None));
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Not acknowledged; the load is over.
            return true;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return !Check(node, what, null, e.Message);
        }
    }

    /// <summary>Whether the failure is one the test expects; records it as unexpected otherwise.</summary>
    private bool Check(int node, string what, HttpStatusCode? status, string? code)
    {
        if (Tolerates(node, what, status, code))
        {
            return true;
        }

        Unexpected.Enqueue($"{what} at node {node}, {Now.TotalSeconds:F2} s: {(status is null ? "no answer" : ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture))} {code}");
        return false;
    }

    /// <summary>A decision answered 200 allow by <paramref name="Node"/>: its client, its place in that client's order, when it was sent and answered.</summary>
    internal sealed record Decision(int Node, int Client, int Sequence, string Resource, TimeSpan SentAt, TimeSpan AnsweredAt);
}
