using System.Globalization;
using Mandate.Core.Audit;
using Mandate.Core.Credentials;
using Mandate.Core.Detection;

namespace Mandate.Benchmarks.Detection;

/// <summary>
/// Generates a labelled synthetic ledger: workloads and agents behaving normally for a day and more (each with its own
/// request rate, actions, resource types, client address, hourly credentials; agents open tasks and exchange their
/// credentials), with realistic noise (a few denies, the odd out-of-task request), and attacks of every rule's class
/// injected at random times. Every attack is labelled with its rule, the identity it is about, when it happens and
/// every other rule whose definition it also meets (a burst of denies is also an unusual rate), so alerts can be scored.
/// The same seed always gives the same trace.
/// </summary>
internal sealed class DetectionTraceGenerator
{
    /// <summary>The trace spans at least this long: first_seen_action learns for a day before it may fire.</summary>
    public static readonly TimeSpan MinimumDuration = TimeSpan.FromHours(26);

    private const string Domain = "spiffe://bench.mandate.local/";

    private static readonly string[] NormalActions = ["read", "list", "describe", "query", "write", "update", "invoke", "publish"];
    private static readonly string[] NormalTypes = ["Invoice", "Ticket", "Document", "Bucket", "Queue", "Dataset", "Report"];
    private static readonly string[] RareActions = ["delete", "grant", "assume_role", "decrypt", "export_all"];
    private static readonly string[] RareTypes = ["Secret", "KeyVault", "AuditLog", "PayrollRecord"];
    private static readonly string[] ReusePlaces = ["authzen", "token_exchange", "introspection", "svid"];

    private readonly Random random;
    private readonly DateTimeOffset start;
    private readonly DateTimeOffset end;
    private readonly List<(DateTimeOffset At, AuditEvent Event)> events = [];
    private readonly List<InjectedAttack> attacks = [];
    private readonly Actor[] actors;
    private readonly List<(int Attack, Actor Actor, DateTimeOffset At)> firstSeenCandidates = [];
    private int serial;

    private DetectionTraceGenerator(int seed, int identities, TimeSpan duration, DateTimeOffset end)
    {
        random = new Random(seed);
        this.end = end;
        start = end - duration;
        actors = [.. Enumerable.Range(0, identities).Select(NewActor)];
    }

    /// <summary>
    /// A trace of <paramref name="identities"/> identities over <paramref name="duration"/> ending at
    /// <paramref name="end"/>, with <paramref name="attacksPerRule"/> attacks of each rule's class.
    /// </summary>
    public static DetectionTrace Generate(int seed, int identities, TimeSpan duration, int attacksPerRule, DateTimeOffset end)
    {
        if (duration < MinimumDuration)
        {
            throw new ArgumentOutOfRangeException(nameof(duration), $"A trace spans at least {MinimumDuration}.");
        }

        var generator = new DetectionTraceGenerator(seed, Math.Max(identities, 4 * attacksPerRule), duration, end);
        generator.InjectAttacks(attacksPerRule);
        generator.GenerateNormalTraffic();
        return generator.Build();
    }

    private Actor NewActor(int index)
    {
        var agent = index % 3 == 0;
        var id = Domain + (agent ? "agent/assistant-" : "svc/workload-") + index.ToString(CultureInfo.InvariantCulture);
        var actions = Pick(NormalActions, random.Next(2, 5));
        var types = Pick(NormalTypes, random.Next(1, 4));

        // Request rates spread log-uniformly from one every few minutes to ten a minute.
        var rate = Math.Exp(Math.Log(0.3) + (random.NextDouble() * (Math.Log(10) - Math.Log(0.3))));
        var address = string.Create(CultureInfo.InvariantCulture, $"10.{index / 250}.{index % 250}.{random.Next(2, 250)}");
        return new Actor(index, id, agent, actions, types, rate, address, random);
    }

    private void InjectAttacks(int perRule)
    {
        // first_seen_action learns for a day from each identity's first decision: its attacks come an hour after that.
        var baselineEnd = start + TimeSpan.FromHours(25);
        var earliest = start + TimeSpan.FromHours(2);
        var latest = end - TimeSpan.FromMinutes(15);

        // Suspended identities stop their own traffic; nobody else's attacks go to them.
        var order = Enumerable.Range(0, actors.Length).OrderBy(_ => random.Next()).ToList();
        var suspended = order.Take(perRule).Select(i => actors[i]).ToList();
        var others = order.Skip(perRule).Select(i => actors[i]).ToList();
        var agents = others.Where(a => a.Agent).ToList();

        DateTimeOffset Between(DateTimeOffset from, DateTimeOffset to) => from + TimeSpan.FromMilliseconds(random.NextDouble() * (to - from).TotalMilliseconds);
        Actor Any() => others[random.Next(others.Count)];
        Actor AnyAgent() => agents[random.Next(agents.Count)];
        Actor Active() => others.Where(a => a.Rate >= 1).OrderBy(_ => random.Next()).First();

        for (var n = 0; n < perRule; n++)
        {
            CredentialReuse(Any(), Between(earliest, latest));
            JtiMultiSource(Active(), Between(earliest, latest));
            ExchangeReplay(AnyAgent(), Between(earliest, latest));
            ScopeWidening(Any(), Between(earliest, latest));
            BeyondTaskScope(AnyAgent(), Between(earliest, latest));
            DenyBurst(Any(), Between(earliest, latest));
            PrivilegeEscalation(Any(), Between(earliest, latest));
            SuspendedUse(suspended[n], Between(earliest, latest));
            FirstSeen(Any(), Between(baselineEnd, latest));
            RateAnomaly(Any(), Between(earliest, latest));
            ExceptionUse(Any(), Between(earliest, latest));
        }
    }

    private void CredentialReuse(Actor actor, DateTimeOffset at)
    {
        var jti = "jti-revoked-" + Next();
        var times = Spread(at, random.Next(1, 4), TimeSpan.FromMinutes(2));
        foreach (var time in times)
        {
            Add(time, Reuse(actor, jti, random.Next(2) == 0 ? "revoked" : "expired", "198.51.100.7"));
        }

        Attack(DetectionRuleNames.CredentialReuse, actor, times, TimeSpan.Zero);
    }

    private void JtiMultiSource(Actor actor, DateTimeOffset at)
    {
        // The credential's owner uses it just before, from its own address; the thief then uses it from another.
        var jti = actor.Jti(start, at);
        Add(at - TimeSpan.FromSeconds(30), actor.Decision(actor.Actions[0], actor.Types[0], "allow", null, jti, actor.Address));
        var thief = string.Create(CultureInfo.InvariantCulture, $"203.0.113.{random.Next(1, 250)}");
        var times = Spread(at, random.Next(1, 4), TimeSpan.FromMinutes(1));
        foreach (var time in times)
        {
            Add(time, actor.Decision(Of(actor.Actions), Of(actor.Types), "allow", null, jti, thief));
        }

        // Until the thief's last use leaves the rule's window, any use of the credential shows both addresses in it.
        Attack(DetectionRuleNames.JtiMultiSource, actor, times, DetectionRuleSettings.Defaults[DetectionRuleNames.JtiMultiSource].Window);
    }

    private void ExchangeReplay(Actor agent, DateTimeOffset at)
    {
        var actorJti = "actor-replayed-" + Next();
        var parent = agent.Jti(start, at);
        var times = Spread(at, random.Next(3, 6), TimeSpan.FromMinutes(2));
        foreach (var time in times)
        {
            Add(time, Exchanged(agent, parent, actorJti));
        }

        Attack(DetectionRuleNames.ExchangeReplay, agent, times, TimeSpan.Zero);
    }

    private void ScopeWidening(Actor actor, DateTimeOffset at)
    {
        var times = Spread(at, random.Next(1, 3), TimeSpan.FromMinutes(2));
        foreach (var time in times)
        {
            if (actor.Agent && random.Next(2) == 0)
            {
                Add(time, new AuditEvent
                {
                    Type = "delegation.exchange_refused",
                    Actor = actor.Id,
                    Subject = actor.Id,
                    CredentialId = actor.Jti(start, time),
                    Reason = "the requested scope is wider than the subject token's",
                    Details = new Dictionary<string, string> { ["refusal"] = "scope_widening" },
                });
            }
            else
            {
                Add(time, actor.Decision(Of(actor.Actions), Of(actor.Types), "deny", "outside_credential_scope: the credential does not grant this", actor.Jti(start, time), actor.Address));
            }
        }

        Attack(DetectionRuleNames.ScopeWideningAttempt, actor, times, TimeSpan.Zero);
    }

    private void BeyondTaskScope(Actor agent, DateTimeOffset at)
    {
        var times = Spread(at, random.Next(10, 21), TimeSpan.FromSeconds(50));
        foreach (var time in times)
        {
            Add(time, agent.Decision(Of(agent.Actions), Of(agent.Types), "deny", "outside_task_scope: the task's intent does not cover this", agent.Jti(start, time), agent.Address));
        }

        Attack(DetectionRuleNames.BeyondTaskScope, agent, times, TimeSpan.Zero, DetectionRuleNames.RateAnomaly);
    }

    private void DenyBurst(Actor actor, DateTimeOffset at)
    {
        var times = Spread(at, random.Next(30, 51), TimeSpan.FromSeconds(50));
        foreach (var time in times)
        {
            Add(time, actor.Decision(Of(actor.Actions), Of(actor.Types), "deny", "no policy permits", actor.Jti(start, time), actor.Address));
        }

        Attack(DetectionRuleNames.DenyBurst, actor, times, TimeSpan.Zero, DetectionRuleNames.RateAnomaly);
    }

    private void PrivilegeEscalation(Actor actor, DateTimeOffset at)
    {
        var times = Spread(at, random.Next(1, 3), TimeSpan.FromMinutes(2));
        foreach (var time in times)
        {
            if (random.Next(2) == 0)
            {
                // Opening a task above the allowed ceiling: OpenTask on Task is new to a workload (agents open tasks),
                // so once the identity's baseline is learnt this is also a first-seen action (decided in Build).
                if (actor.IsNew("OpenTask", "Task"))
                {
                    firstSeenCandidates.Add((attacks.Count, actor, time));
                }

                actor.Learn("OpenTask", "Task");
                Add(time, actor.Decision("OpenTask", "Task", "deny", "the intent's sensitivity ceiling is above what policy allows", null, actor.Address));
            }
            else
            {
                Add(time, new AuditEvent
                {
                    Type = "admin.authentication_failed",
                    Subject = actor.Id,
                    Resource = "/v1/identities",
                    Reason = "a workload credential is not an operator credential",
                });
            }
        }

        Attack(DetectionRuleNames.PrivilegeEscalationAttempt, actor, times, TimeSpan.Zero);
    }

    private void SuspendedUse(Actor actor, DateTimeOffset at)
    {
        actor.SuspendedAt = at;
        var times = Spread(at + TimeSpan.FromMinutes(random.Next(1, 30)), random.Next(1, 4), TimeSpan.FromMinutes(3));
        foreach (var time in times)
        {
            if (random.Next(2) == 0)
            {
                Add(time, actor.Decision(Of(actor.Actions), Of(actor.Types), "deny", "identity_inactive: the identity is suspended", actor.Jti(start, time), actor.Address));
            }
            else
            {
                Add(time, Reuse(actor, actor.Jti(start, time), "identity_inactive", actor.Address));
            }
        }

        Attack(DetectionRuleNames.SuspendedIdentityUse, actor, times, TimeSpan.Zero);
    }

    private void FirstSeen(Actor actor, DateTimeOffset at)
    {
        var newAction = random.Next(2) == 0;
        var action = newAction ? Of(RareActions) : Of(actor.Actions);
        var type = newAction && random.Next(2) == 0 ? Of(actor.Types) : Of(RareTypes);
        if (!actor.IsNew(action, type))
        {
            type = RareTypes.FirstOrDefault(t => actor.IsNew(action, t)) ?? "Rare" + Next();
        }

        actor.Learn(action, type);
        Add(at, actor.Decision(action, type, random.Next(3) == 0 ? "deny" : "allow", null, actor.Jti(start, at), actor.Address));
        Attack(DetectionRuleNames.FirstSeenAction, actor, [at], TimeSpan.Zero);
    }

    private void RateAnomaly(Actor actor, DateTimeOffset at)
    {
        // All within one minute of the clock (the rule's buckets), far above the identity's own rate.
        var minute = new DateTimeOffset(at.Ticks - (at.Ticks % TimeSpan.TicksPerMinute), TimeSpan.Zero);
        var count = (int)Math.Ceiling((actor.Rate * 6) + 20 + random.Next(0, 20));
        var times = Spread(minute + TimeSpan.FromSeconds(2), count, TimeSpan.FromSeconds(53));
        foreach (var time in times)
        {
            Add(time, actor.Decision(Of(actor.Actions), Of(actor.Types), "allow", null, actor.Jti(start, time), actor.Address));
        }

        Attack(DetectionRuleNames.RateAnomaly, actor, times, TimeSpan.Zero);
    }

    private void ExceptionUse(Actor actor, DateTimeOffset at)
    {
        var decision = actor.Decision(Of(actor.Actions), Of(actor.Types), "allow", null, actor.Jti(start, at), actor.Address);
        Add(at, new AuditEvent
        {
            Type = decision.Type,
            Subject = decision.Subject,
            Action = decision.Action,
            Resource = decision.Resource,
            Decision = decision.Decision,
            CredentialId = decision.CredentialId,
            Details = new Dictionary<string, string> { ["client"] = actor.Address, ["exception_id"] = "exc-" + Next() },
        });
        Attack(DetectionRuleNames.ExceptionUse, actor, [at], TimeSpan.Zero);
    }

    private void GenerateNormalTraffic()
    {
        var minutes = (int)(end - start).TotalMinutes;
        foreach (var actor in actors)
        {
            var until = actor.SuspendedAt ?? end;
            for (var minute = 0; minute < minutes; minute++)
            {
                var minuteStart = start + TimeSpan.FromMinutes(minute);
                if (minuteStart >= until)
                {
                    break;
                }

                // A gentle daily rhythm: busier by day, quieter by night.
                var rhythm = 1 + (0.3 * Math.Sin(2 * Math.PI * minute / 1440.0));
                var count = Poisson(actor.Rate * rhythm);
                for (var i = 0; i < count; i++)
                {
                    var at = minuteStart + TimeSpan.FromMilliseconds(random.Next(60_000));
                    if (at >= until)
                    {
                        continue;
                    }

                    var jti = actor.Jti(start, at);
                    var roll = random.NextDouble();
                    var outcome = roll < 0.02 ? ("deny", "no policy permits")
                        : actor.Agent && roll < 0.03 ? ("deny", "outside_task_scope: the task's intent does not cover this")
                        : ("allow", (string?)null);
                    Add(at, actor.Decision(Of(actor.Actions), Of(actor.Types), outcome.Item1, outcome.Item2, jti, actor.Address));
                    actor.Used(jti);
                }

                // Every ten minutes, the aggregated use of the credential (one source: its own address).
                if (minute % 10 == 9 && actor.TakeUse() is { } use)
                {
                    Add(minuteStart + TimeSpan.FromSeconds(59), new AuditEvent
                    {
                        Type = CredentialUseRecorder.EventType,
                        Subject = actor.Id,
                        CredentialId = use.Jti,
                        Details = new Dictionary<string, string>
                        {
                            ["count"] = use.Count.ToString(CultureInfo.InvariantCulture),
                            ["sources"] = "authzen:pep:gateway@" + actor.Address,
                        },
                    });
                }

                // Agents open a task and exchange its credential once an hour, each time with a fresh actor token.
                if (actor.Agent && minute % 60 == 5)
                {
                    Add(minuteStart, actor.Decision("OpenTask", "Task", "allow", null, null, actor.Address));
                    Add(minuteStart + TimeSpan.FromSeconds(1), Exchanged(actor, actor.Jti(start, minuteStart), "actor-" + Next()));
                }
            }
        }
    }

    /// <summary>A dead credential presented again, as the decision point and the token endpoints record it.</summary>
    private AuditEvent Reuse(Actor actor, string jti, string state, string address) => new()
    {
        Type = TokenReuseDetector.EventType,
        Actor = actor.Id,
        Subject = actor.Id,
        Action = ReusePlaces[random.Next(ReusePlaces.Length)],
        Decision = "deny",
        CredentialId = jti,
        Reason = state == "identity_inactive" ? "a credential of an identity that is no longer active was presented" : $"a {state} credential was presented again",
        Details = new Dictionary<string, string> { ["state"] = state, ["source"] = "authzen:" + address },
    };

    private static AuditEvent Exchanged(Actor agent, string parent, string actorJti) => new()
    {
        Type = "credential.exchanged",
        Actor = agent.Id,
        Subject = agent.Id,
        CredentialId = "exchanged-" + actorJti,
        Details = new Dictionary<string, string> { ["parent_jti"] = parent, ["actor_jti"] = actorJti, ["client_id"] = "agent-runtime" },
    };

    private void Attack(string rule, Actor actor, IReadOnlyList<DateTimeOffset> times, TimeSpan slack, params string[] also)
    {
        var labels = new HashSet<string>(StringComparer.Ordinal) { rule };
        labels.UnionWith(also);
        attacks.Add(new InjectedAttack(rule, actor.Id, times.Min(), times.Max() + slack, labels));
    }

    private DetectionTrace Build()
    {
        // first_seen_action judges from the identity's first decision, known only now that the traffic exists.
        var firstDecision = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var (at, e) in events)
        {
            if (e.Type == "decision" && DetectionEvents.DecisionIdentity(e) is { } identity
                && (!firstDecision.TryGetValue(identity, out var first) || at < first))
            {
                firstDecision[identity] = at;
            }
        }

        var baseline = DetectionRuleSettings.Defaults[DetectionRuleNames.FirstSeenAction].Baseline;
        foreach (var (index, actor, at) in firstSeenCandidates)
        {
            if (firstDecision.TryGetValue(actor.Id, out var first) && at - first >= baseline)
            {
                ((HashSet<string>)attacks[index].Labels).Add(DetectionRuleNames.FirstSeenAction);
            }
        }

        var ordered = events.OrderBy(e => e.At).ToList();
        var records = new AuditRecord[ordered.Count];
        for (var i = 0; i < ordered.Count; i++)
        {
            records[i] = new AuditRecord(i + 1, ordered[i].At, ordered[i].Event, string.Empty, string.Empty);
        }

        return new DetectionTrace(records, attacks, actors.Length);
    }

    private void Add(DateTimeOffset at, AuditEvent auditEvent) => events.Add((at, auditEvent));

    private List<DateTimeOffset> Spread(DateTimeOffset from, int count, TimeSpan over) =>
        [.. Enumerable.Range(0, count).Select(_ => from + TimeSpan.FromMilliseconds(random.NextDouble() * over.TotalMilliseconds)).Order()];

    private string[] Pick(string[] from, int count) => [.. from.OrderBy(_ => random.Next()).Take(count)];

    private T Of<T>(IReadOnlyList<T> from) => from[random.Next(from.Count)];

    private string Next() => (++serial).ToString(CultureInfo.InvariantCulture);

    private int Poisson(double mean)
    {
        // Knuth's method; means here are small (at most ~13).
        var limit = Math.Exp(-mean);
        var product = random.NextDouble();
        var count = 0;
        while (product > limit)
        {
            count++;
            product *= random.NextDouble();
        }

        return count;
    }

    /// <summary>One simulated identity and how it behaves.</summary>
    private sealed class Actor(int index, string id, bool agent, string[] actions, string[] types, double rate, string address, Random random)
    {
        private readonly string subject = $"Workload::\"{id}\"";
        private readonly HashSet<string> seenActions = new(agent ? [.. actions, "OpenTask"] : actions, StringComparer.Ordinal);
        private readonly HashSet<string> seenTypes = new(agent ? [.. types, "Task"] : types, StringComparer.Ordinal);
        private readonly Dictionary<string, string> details = new() { ["client"] = address };
        private string? usedJti;
        private int usedCount;

        public string Id => id;

        public bool Agent => agent;

        public string[] Actions => actions;

        public string[] Types => types;

        public double Rate => rate;

        public string Address => address;

        public DateTimeOffset? SuspendedAt { get; set; }

        /// <summary>The identity's credential at <paramref name="at"/>: a new one every hour.</summary>
        public string Jti(DateTimeOffset traceStart, DateTimeOffset at) =>
            string.Create(CultureInfo.InvariantCulture, $"jti-{index}-{(int)(at - traceStart).TotalHours}");

        public bool IsNew(string action, string type) => !seenActions.Contains(action) || !seenTypes.Contains(type);

        public void Learn(string action, string type)
        {
            seenActions.Add(action);
            seenTypes.Add(type);
        }

        public AuditEvent Decision(string action, string type, string outcome, string? reason, string? jti, string client) => new()
        {
            Type = "decision",
            Actor = "pep:gateway",
            Subject = subject,
            Action = $"Action::\"{action}\"",
            Resource = string.Create(CultureInfo.InvariantCulture, $"{type}::\"{type.ToLowerInvariant()}-{random.Next(50)}\""),
            Decision = outcome,
            Reason = reason,
            CredentialId = jti,
            Details = client == address ? details : new Dictionary<string, string> { ["client"] = client },
        };

        public void Used(string jti)
        {
            if (usedJti != jti)
            {
                usedJti = jti;
                usedCount = 0;
            }

            usedCount++;
        }

        public (string Jti, int Count)? TakeUse()
        {
            if (usedJti is null || usedCount == 0)
            {
                return null;
            }

            var use = (usedJti, usedCount);
            usedCount = 0;
            return use;
        }
    }
}

/// <summary>One injected attack: the rule whose class it is, about whom, when, and every rule whose definition it meets.</summary>
internal sealed record InjectedAttack(string Rule, string Identity, DateTimeOffset Start, DateTimeOffset End, IReadOnlySet<string> Labels);

/// <summary>A generated ledger in sequence order, and the attacks injected into it.</summary>
internal sealed record DetectionTrace(IReadOnlyList<AuditRecord> Records, IReadOnlyList<InjectedAttack> Attacks, int Identities);
