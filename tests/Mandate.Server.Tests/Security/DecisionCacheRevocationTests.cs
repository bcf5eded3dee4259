using System.Net.Http.Json;
using System.Text.Json;
using Mandate.Client;
using Mandate.Protocol.AuthZen;
using Mandate.Server.Tests.Tasks;
using Mandate.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;
using static Mandate.Server.Tests.Security.LifecycleEstate;

namespace Mandate.Server.Tests.Security;

/// <summary>
/// The SDK's decision cache must not undo a revocation: a revocation during an in-flight call is not overwritten by
/// that call's answer, an entry belongs to the policy version it was decided under, and a PDP answer saying a
/// credential no longer verifies drops every cached decision made for it.
/// </summary>
public sealed class DecisionCacheRevocationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static EvaluationRequest Request(string action, string resourceType, string resourceId, string? credential = null) => new()
    {
        Subject = new AuthZenEntity("Workload", Victim),
        Action = new AuthZenAction(action),
        Resource = new AuthZenEntity(resourceType, resourceId),
        Context = credential is null ? null : JsonSerializer.SerializeToElement(new { credential }),
    };

    [Fact]
    public async Task RevocationDuringAnInFlightCall_ShouldNotBeUndoneByItsAnswer()
    {
        await using var estate = await LifecycleEstate.StartAsync("revoke");
        var (_, token, _) = await estate.OpenAsync(Victim);
        await using var sdk = Sdk.Start(estate);
        var request = Request("read", "Ticket", "T-1", token);

        var inFlight = sdk.HoldNextAnswer(() => sdk.Client.EvaluateAsync(request, Ct));
        await sdk.Arrived;
        sdk.Cache.Revoke(token);
        var answer = await sdk.Release(inFlight);
        Assert.True(answer.Decision);

        await sdk.Client.EvaluateAsync(request, Ct);
        Assert.Equal(2, sdk.Calls);
    }

    [Fact]
    public async Task CachedDecision_ShouldBelongToThePolicyVersionItWasDecidedUnder()
    {
        await using var estate = await LifecycleEstate.StartAsync("revoke");
        await using var sdk = Sdk.Start(estate);
        var request = Request("ping", "Service", "api");

        var inFlight = sdk.HoldNextAnswer(() => sdk.Client.EvaluateAsync(request, Ct));
        await sdk.Arrived;
        using (var replaced = await estate.Admin.PutAsJsonAsync("/v1/policies", new { policies = new Dictionary<string, string> { ["deny-all.cedar"] = "forbid (principal, action, resource);" } }, Ct))
        {
            Assert.True(replaced.IsSuccessStatusCode, await replaced.Content.ReadAsStringAsync(Ct));
        }

        Assert.False((await sdk.Client.EvaluateAsync(Request("ping", "Service", "other"), Ct)).Decision);
        Assert.True((await sdk.Release(inFlight)).Decision);

        Assert.False((await sdk.Client.EvaluateAsync(request, Ct)).Decision);
    }

    [Fact]
    public async Task CachedAllows_ShouldBeDroppedAutomatically_WhenThePdpSaysTheCredentialNoLongerVerifies()
    {
        await using var estate = await LifecycleEstate.StartAsync("revoke");
        var (taskId, token, _) = await estate.OpenAsync(Victim);
        await using var sdk = Sdk.Start(estate);
        Assert.True((await sdk.Client.EvaluateAsync(Request("read", "Ticket", "T-1", token), Ct)).Decision);
        Assert.True((await sdk.Client.EvaluateAsync(Request("read", "Ticket", "T-1", token), Ct)).Decision);
        Assert.Equal(1, sdk.Calls);

        using (var revoked = await estate.Admin.PostAsJsonAsync("/v1/revocations", new { target_kind = "task", target = taskId, reason = "compromised" }, Ct))
        {
            Assert.True(revoked.IsSuccessStatusCode);
        }

        Assert.False((await sdk.Client.EvaluateAsync(Request("read", "Ticket", "T-2", token), Ct)).Decision);
        Assert.False((await sdk.Client.EvaluateAsync(Request("read", "Ticket", "T-1", token), Ct)).Decision);
    }

    [Theory]
    [InlineData("suspend")]
    [InlineData("revoke")]
    [InlineData("offboard")]
    [InlineData("revoke-task")]
    public async Task CachedAllow_ShouldNotBeServed_AfterAnyLaterAnswerReportsTheCredentialStateChanged(string ending)
    {
        await using var estate = await LifecycleEstate.StartAsync(ending);
        var (taskId, token, _) = await estate.OpenAsync(Victim);
        await using var sdk = Sdk.Start(estate);
        var request = Request("read", "Ticket", "T-1", token);
        Assert.True((await sdk.Client.EvaluateAsync(request, Ct)).Decision);

        // The credential or its identity ends behind the SDK's back (another operator, another PEP's revocation).
        if (ending == "revoke-task")
        {
            using var revoked = await estate.Admin.PostAsJsonAsync("/v1/revocations", new { target_kind = "task", target = taskId, reason = "compromised" }, Ct);
            Assert.True(revoked.IsSuccessStatusCode);
        }
        else
        {
            await LifecycleEstate.EndAsync(estate, ending);
        }

        // Any later call, about anything, tells the SDK that the PDP's credential state moved on.
        await sdk.Client.EvaluateAsync(Request("ping", "Service", "api"), Ct);
        var callsBefore = sdk.Calls;
        Assert.False((await sdk.Client.EvaluateAsync(request, Ct)).Decision);
        Assert.Equal(callsBefore + 1, sdk.Calls);
    }

    [Fact]
    public async Task CachedAllow_ShouldNotOutliveTheCredentialItWasDecidedFor()
    {
        await using var estate = await LifecycleEstate.StartAsync("revoke");
        var (_, token, _) = await estate.OpenAsync(Victim);
        await using var sdk = Sdk.Start(estate);
        var request = Request("read", "Ticket", "T-1", token);
        Assert.True((await sdk.Client.EvaluateAsync(request, Ct)).Decision);
        Assert.True((await sdk.Client.EvaluateAsync(request, Ct)).Decision);
        Assert.Equal(1, sdk.Calls);

        // Time passes the task token's exp (the SDK's cache would keep the answer for an hour).
        using var payload = JsonDocument.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(token.Split('.')[1]));
        sdk.Clock.Set(DateTimeOffset.FromUnixTimeSeconds(payload.RootElement.GetProperty("exp").GetInt64()).AddSeconds(1));
        await sdk.Client.EvaluateAsync(request, Ct);
        Assert.Equal(2, sdk.Calls);
    }

    /// <summary>The SDK as an enforcement point uses it (authenticated with the admin token), with a long (one-hour) cache.</summary>
    private sealed class Sdk : IAsyncDisposable
    {
        private readonly ServiceProvider services;
        private readonly Gate gate;

        private Sdk(ServiceProvider services, Gate gate)
        {
            this.services = services;
            this.gate = gate;
        }

        /// <summary>One client, as an enforcement point holds it.</summary>
        public IAuthZenClient Client { get; private init; } = null!;

        /// <summary>The clock the SDK's cache expires entries by.</summary>
        public ManualClock Clock { get; private init; } = null!;

        public DecisionCache Cache => services.GetRequiredService<DecisionCache>();

        public int Calls => Volatile.Read(ref gate.Calls);

        public Task Arrived => gate.Arrived.Task;

        public static Sdk Start(TaskEstate estate)
        {
            var gate = new Gate();
            var clock = estate.Clock;
            var collection = new ServiceCollection();
            collection.AddSingleton<TimeProvider>(clock);
            collection.AddMandateClient(o =>
            {
                o.BaseAddress = estate.Server.Address;
                o.AccessToken = estate.Server.AdminToken;
                o.CacheDuration = TimeSpan.FromHours(1);
                o.MaxRetries = 0;
                o.AttemptTimeout = TimeSpan.FromSeconds(20);
            }).HttpClient.AddHttpMessageHandler(() => gate);
            var provider = collection.BuildServiceProvider();
            return new Sdk(provider, gate) { Client = provider.GetRequiredService<IAuthZenClient>(), Clock = clock };
        }

        /// <summary>Starts a call whose answer, once received from the PDP, waits for <see cref="Release"/>.</summary>
        public Task<T> HoldNextAnswer<T>(Func<Task<T>> call)
        {
            gate.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return Task.Run(call);
        }

        public async Task<T> Release<T>(Task<T> inFlight)
        {
            gate.Held!.TrySetResult();
            return await inFlight;
        }

        public async ValueTask DisposeAsync() => await services.DisposeAsync();
    }

    private sealed class Gate : DelegatingHandler
    {
        public int Calls;

        public TaskCompletionSource? Hold;

        public TaskCompletionSource? Held;

        public TaskCompletionSource Arrived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            Interlocked.Increment(ref Calls);
            if (Interlocked.Exchange(ref Hold, null) is { } hold)
            {
                Held = hold;
                Arrived.TrySetResult();
                await hold.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
            }

            return response;
        }
    }
}
