using Mandate.Core.Detection;
using Mandate.Core.Storage;

namespace Mandate.Storage.Tests.Detection;

/// <summary>What every store must do for the detection engine's persistent state; run against SQLite and PostgreSQL.</summary>
public abstract class DetectionStoreContractTests : MigratedStoreTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeSeconds(1_760_000_000);

    [Fact]
    public async Task Cursor_ShouldAdvanceOnlyFromWhereItIs()
    {
        await using (var session = await Store.BeginAsync(StoreIntent.Write, Ct))
        {
            var repository = session.Get<IDetectionRepository>();
            Assert.Equal(0, await repository.GetCursorAsync(Ct));
            Assert.True(await repository.AdvanceCursorAsync(0, 7, T0, Ct));
            Assert.False(await repository.AdvanceCursorAsync(0, 9, T0, Ct));
            await session.CommitAsync(Ct);
        }

        await using var read = await Store.BeginAsync(StoreIntent.Read, Ct);
        Assert.Equal(7, await read.Get<IDetectionRepository>().GetCursorAsync(Ct));
    }

    [Fact]
    public async Task State_ShouldUpsertAndDelete_AndCommitWithTheCursor()
    {
        await using (var session = await Store.BeginAsync(StoreIntent.Write, Ct))
        {
            var repository = session.Get<IDetectionRepository>();
            await repository.SaveStateAsync([new("identity:a", "{\"decisions\":1}"), new("credential:j", "{}")], T0, Ct);
            await repository.AdvanceCursorAsync(0, 3, T0, Ct);
            await session.CommitAsync(Ct);
        }

        await using (var rolledBack = await Store.BeginAsync(StoreIntent.Write, Ct))
        {
            // Not committed: neither the state nor the cursor may move.
            var repository = rolledBack.Get<IDetectionRepository>();
            await repository.SaveStateAsync([new("identity:a", "{\"decisions\":99}")], T0, Ct);
            await repository.AdvanceCursorAsync(3, 10, T0, Ct);
        }

        await using (var session = await Store.BeginAsync(StoreIntent.Write, Ct))
        {
            var repository = session.Get<IDetectionRepository>();
            Assert.Equal(3, await repository.GetCursorAsync(Ct));
            Assert.Equal("{\"decisions\":1}", (await repository.LoadStateAsync(Ct))["identity:a"]);
            await repository.SaveStateAsync([new("identity:a", "{\"decisions\":2}"), new("credential:j", null)], T0, Ct);
            await session.CommitAsync(Ct);
        }

        await using var read = await Store.BeginAsync(StoreIntent.Read, Ct);
        var state = await read.Get<IDetectionRepository>().LoadStateAsync(Ct);
        Assert.Equal(["identity:a"], state.Keys);
        Assert.Equal("{\"decisions\":2}", state["identity:a"]);
    }

    [Fact]
    public async Task Alerts_ShouldFilterByRuleIdentityAndTime_AndPageBySequence()
    {
        await using (var session = await Store.BeginAsync(StoreIntent.Write, Ct))
        {
            var repository = session.Get<IDetectionRepository>();
            Assert.Equal(0, await repository.GetLastAlertSequenceAsync(Ct));
            await repository.AddAlertAsync(Alert(1, "beyond_task_scope", "spiffe://td/a", T0, AlertResponse.Done), Ct);
            await repository.AddAlertAsync(Alert(2, "credential_reuse", "spiffe://td/b", T0.AddMinutes(1), AlertResponse.Pending), Ct);
            await repository.AddAlertAsync(Alert(3, "beyond_task_scope", "spiffe://td/b", T0.AddMinutes(2), AlertResponse.Done), Ct);
            await session.CommitAsync(Ct);
        }

        await using (var session = await Store.BeginAsync(StoreIntent.Write, Ct))
        {
            var repository = session.Get<IDetectionRepository>();
            Assert.Equal(3, await repository.GetLastAlertSequenceAsync(Ct));
            Assert.Equal([1L, 3L], (await repository.QueryAlertsAsync(new AlertQuery { Rule = "beyond_task_scope" }, Ct)).Select(a => a.Sequence));
            Assert.Equal([2L, 3L], (await repository.QueryAlertsAsync(new AlertQuery { Identity = "spiffe://td/b" }, Ct)).Select(a => a.Sequence));
            Assert.Equal([2L], (await repository.QueryAlertsAsync(new AlertQuery { Since = T0.AddMinutes(1), Until = T0.AddMinutes(2) }, Ct)).Select(a => a.Sequence));
            Assert.Equal([2L], (await repository.QueryAlertsAsync(new AlertQuery { AfterSequence = 1, Limit = 1 }, Ct)).Select(a => a.Sequence));

            var pending = Assert.Single(await repository.ListPendingResponsesAsync(10, Ct));
            Assert.Equal("alt_2", pending.Id);
            Assert.Equal([11L, 12L], pending.Evidence);
            Assert.Equal(["suspend_identity"], pending.Response.Actions);
            Assert.Equal("task_2", pending.TaskId);
            await repository.UpdateResponseAsync("alt_2", pending.Response with { State = AlertResponse.Done, Outcomes = ["identity suspended"] }, Ct);
            await session.CommitAsync(Ct);
        }

        await using var read = await Store.BeginAsync(StoreIntent.Read, Ct);
        var repositoryAfter = read.Get<IDetectionRepository>();
        Assert.Empty(await repositoryAfter.ListPendingResponsesAsync(10, Ct));
        var done = (await repositoryAfter.QueryAlertsAsync(new AlertQuery { AfterSequence = 1, Limit = 1 }, Ct)).Single();
        Assert.Equal(["identity suspended"], done.Response.Outcomes);
        Assert.Equal(T0.AddMinutes(1), done.Time);
    }

    [Fact]
    public async Task Risk_ShouldRoundTrip_AndBeReplaced()
    {
        await using (var session = await Store.BeginAsync(StoreIntent.Write, Ct))
        {
            var repository = session.Get<IDetectionRepository>();
            await repository.SetRiskAsync(new StoredRisk("spiffe://td/a", 85.5, T0, "beyond_task_scope"), Ct);
            await repository.SetRiskAsync(new StoredRisk("spiffe://td/b", 10, T0, null), Ct);
            await repository.SetRiskAsync(new StoredRisk("spiffe://td/a", 0, T0.AddMinutes(1), "cleared"), Ct);
            await session.CommitAsync(Ct);
        }

        await using var read = await Store.BeginAsync(StoreIntent.Read, Ct);
        var risks = (await read.Get<IDetectionRepository>().LoadRiskAsync(Ct)).OrderBy(r => r.Identity, StringComparer.Ordinal).ToList();
        Assert.Equal(2, risks.Count);
        Assert.Equal(new StoredRisk("spiffe://td/a", 0, T0.AddMinutes(1), "cleared"), risks[0]);
        Assert.Equal(10, risks[1].Score);
        Assert.Null(risks[1].Reason);

        // One identity's risk read alone (a node refreshing what another node announced).
        Assert.Equal(risks[0], await read.Get<IDetectionRepository>().GetRiskAsync("spiffe://td/a", Ct));
        Assert.Null(await read.Get<IDetectionRepository>().GetRiskAsync("spiffe://td/nobody", Ct));
    }

    private static DetectionAlert Alert(long seq, string rule, string identity, DateTimeOffset time, string state) => new()
    {
        Sequence = seq,
        Id = "alt_" + seq,
        Rule = rule,
        Severity = "high",
        Identity = identity,
        Time = time,
        Summary = "summary " + seq,
        Evidence = [10 + seq - 1, 10 + seq],
        TaskId = "task_" + seq,
        Response = new AlertResponse(state == AlertResponse.Pending ? ["suspend_identity"] : ["raise_risk"], 40, "medium", state, []),
    };
}
