using System.Globalization;
using System.Text;
using Mandate.Benchmarks.Cedar.Model;

namespace Mandate.Benchmarks.Cedar.Apps;

/// <summary>
/// The agent/tool permission model: 10,450 entities (50 teams, 100 agent groups, 2,000 agents, 200 MCP servers,
/// 3,000 tools, 100 data domains, 3,000 data sets with a sensitivity, 2,000 tasks) and about 1,260 policies
/// (12 hand-written rules in agents-core.cedar plus generated grants and forbids scoped to groups, agents, teams and
/// tools). Everything is derived from one seed.
/// <para>
/// For the policy-scaling curve, agents 0–49 are "hot": they sit only in groups 0–4 and teams 0–4, and their requests
/// are the only ones timed. <see cref="ScalingPolicies"/> keeps the policies that can apply to them fixed (the core
/// rules and the grants of those groups, agents and teams) and pads the set with policies scoped to other agents and
/// groups, so an engine that indexes by scope pays nothing for the padding.
/// </para>
/// </summary>
public sealed class AgentToolModel
{
    public const string Namespace = "Agentic";
    public const int TeamCount = 50;
    public const int GroupCount = 100;
    public const int AgentCount = 2_000;
    public const int ServerCount = 200;
    public const int ToolsPerServer = 15;
    public const int DomainCount = 100;
    public const int DatasetsPerDomain = 30;
    public const int HotAgentCount = 50;
    public const int HotGroupCount = 5;
    public const int HotTeamCount = 5;

    private static readonly string[] Environments = ["prod", "staging", "dev"];
    private static readonly string[] Regions = ["eu", "us", "apac"];
    private static readonly string[] Vendors = ["acme", "globex", "initech", "umbrella", "hooli"];
    private static readonly string[] Labels = ["pii", "finance", "search", "code", "tickets", "email"];
    private static readonly string[] Destinations = ["api.internal", "warehouse.internal", "tickets.internal", "pastebin.example.com", "partner.example.org"];
    private static readonly string[] Purposes = ["support triage", "invoice reconciliation", "code review", "incident response", "report drafting"];

    private readonly ulong _seed;
    private readonly List<GeneratedEntity> _entities = [];
    private readonly Dictionary<Uid, GeneratedEntity> _byUid = [];
    private readonly int[][] _agentGroups = new int[AgentCount][];
    private readonly int[] _agentTeam = new int[AgentCount];
    private readonly List<Uid>[] _agentTaskTools = new List<Uid>[AgentCount];
    private readonly int[][] _groupServers = new int[GroupCount][];
    private readonly int[] _agentDomain = new int[AgentCount];
    private readonly int[][] _teamDomains = new int[TeamCount][];

    public AgentToolModel(ulong seed = CorpusSeed.Default)
    {
        _seed = seed;
        var random = new DeterministicRandom(DeterministicRandom.Derive(seed, "agents-estate"));
        PlanGrants(random);
        BuildEntities(random);
    }

    public static string Name => "agents";

    public static string SchemaText => EmbeddedText.Read("agents.cedarschema");

    public static string CorePolicyText => EmbeddedText.Read("agents-core.cedar");

    /// <summary>Every entity of the estate, action entities included.</summary>
    public IReadOnlyList<GeneratedEntity> Entities => _entities;

    public static Uid Action(string id) => new($"{Namespace}::Action", id);

    public static Uid Agent(int i) => new($"{Namespace}::Agent", $"agent-{i}");

    public static Uid Group(int i) => new($"{Namespace}::AgentGroup", $"group-{i}");

    public static Uid Team(int i) => new($"{Namespace}::Team", $"team-{i}");

    public static Uid Server(int i) => new($"{Namespace}::McpServer", $"mcp-{i}");

    public static Uid Tool(int i) => new($"{Namespace}::Tool", $"tool-{i}");

    public static Uid Domain(int i) => new($"{Namespace}::DataDomain", $"domain-{i}");

    public static Uid Dataset(int i) => new($"{Namespace}::Dataset", $"dataset-{i}");

    public static Uid TaskOf(int agent) => new($"{Namespace}::Task", $"task-{agent}");

    /// <summary>The full policy set of the agent app: core rules plus every generated grant and forbid.</summary>
    public string Policies()
    {
        var text = new StringBuilder(CorePolicyText);
        text.AppendLine();
        AppendHotGrants(text);
        for (var g = HotGroupCount; g < GroupCount; g++)
        {
            AppendGroupGrants(text, g);
        }
        for (var a = HotAgentCount; a < 600; a++)
        {
            AppendAgentGrant(text, a);
        }
        for (var t = HotTeamCount; t < TeamCount; t++)
        {
            AppendTeamGrants(text, t);
        }
        var random = new DeterministicRandom(DeterministicRandom.Derive(_seed, "agents-forbids"));
        for (var i = 0; i < 100; i++)
        {
            Line(text, $"forbid (principal, action == {Action("invokeTool")}, resource == {Tool(random.Next(ServerCount * ToolsPerServer))}) when {{ context.risk.level != \"low\" }};");
        }
        for (var i = 0; i < 50; i++)
        {
            Line(text, $"forbid (principal in {Group(HotGroupCount + random.Next(GroupCount - HotGroupCount))}, action == {Action("connect")}, resource == {Server(random.Next(ServerCount))});");
        }
        return text.ToString();
    }

    /// <summary>
    /// A policy set of exactly <paramref name="total"/> policies whose part that can apply to hot agents is fixed:
    /// the core rules and the hot grants, padded with grants scoped to other agents and groups.
    /// </summary>
    public string ScalingPolicies(int total)
    {
        var text = new StringBuilder(CorePolicyText);
        text.AppendLine();
        AppendHotGrants(text);
        var count = CountPolicies(text.ToString());
        if (total < count)
        {
            throw new ArgumentOutOfRangeException(nameof(total), total, $"The fixed part already has {count} policies.");
        }
        var random = new DeterministicRandom(DeterministicRandom.Derive(_seed, "agents-padding", total));
        for (; count < total; count++)
        {
            var shape = random.Next(10);
            if (shape < 7)
            {
                var agent = Agent(HotAgentCount + random.Next(AgentCount - HotAgentCount));
                var line = (shape % 3) switch
                {
                    0 => $"permit (principal == {agent}, action == {Action("invokeTool")}, resource in {Server(random.Next(ServerCount))}) when {{ resource.sideEffect != \"external\" }};",
                    1 => $"permit (principal == {agent}, action == {Action("readData")}, resource in {Domain(random.Next(DomainCount))}) when {{ resource.region == \"{random.Pick(Regions)}\" }};",
                    _ => $"forbid (principal == {agent}, action == {Action("writeData")}, resource == {Dataset(random.Next(DomainCount * DatasetsPerDomain))});",
                };
                Line(text, line);
            }
            else
            {
                var group = Group(HotGroupCount + random.Next(GroupCount - HotGroupCount));
                Line(text, $"permit (principal in {group}, action in [{Action("readData")}, {Action("writeData")}], resource in {Domain(random.Next(DomainCount))}) when {{ resource.sensitivity <= {random.Next(4)} }};");
            }
        }
        return text.ToString();
    }

    /// <summary>
    /// <paramref name="count"/> requests by agents (only hot agents when <paramref name="hotOnly"/>): mostly tool calls,
    /// mostly under the caller's own task, with resources the agent was granted more often than not, so decisions
    /// mix allows and denies and every kind of rule decides some of them.
    /// </summary>
    public IReadOnlyList<GeneratedRequest> Requests(int count, bool hotOnly, int stream = 0)
    {
        var random = new DeterministicRandom(DeterministicRandom.Derive(_seed, hotOnly ? "agents-hot-requests" : "agents-requests", stream));
        var requests = new List<GeneratedRequest>(count);
        for (var i = 0; i < count; i++)
        {
            var agent = random.Next(hotOnly ? HotAgentCount : AgentCount);
            var roll = random.Next(100);
            Uid action, resource;
            if (roll < 50)
            {
                action = Action("invokeTool");
                resource = random.Chance(0.7) ? random.Pick(_agentTaskTools[agent]) : Tool(random.Next(ServerCount * ToolsPerServer));
            }
            else if (roll < 85)
            {
                action = Action(roll < 75 ? "readData" : "writeData");
                var domain = random.Chance(0.6)
                    ? (random.Chance(0.5) ? _agentDomain[agent] : random.Pick(_teamDomains[_agentTeam[agent]]))
                    : random.Next(DomainCount);
                resource = Dataset((domain * DatasetsPerDomain) + random.Next(DatasetsPerDomain));
            }
            else
            {
                action = Action("connect");
                resource = random.Chance(0.6) ? Server(random.Pick(_groupServers[random.Pick(_agentGroups[agent])])) : Server(random.Next(ServerCount));
            }
            var task = random.Chance(0.92) ? TaskOf(agent) : TaskOf(random.Next(AgentCount));
            var riskRoll = random.Next(100);
            var score = riskRoll < 85 ? random.Next(40) : riskRoll < 95 ? 40 + random.Next(40) : 80 + random.Next(21);
            var level = score < 40 ? "low" : score < 80 ? "medium" : "high";
            var destination = random.Chance(0.8) ? random.Pick(Destinations.AsSpan(0, 3).ToArray()) : random.Pick(Destinations);
            requests.Add(new GeneratedRequest(Agent(agent), action, resource,
            [
                ("task", AttributeValue.Of(task)),
                ("risk", AttributeValue.RecordOf(("score", AttributeValue.Of((long)score)), ("level", AttributeValue.Of(level)))),
                ("destination", AttributeValue.Of(destination)),
            ]));
        }
        return requests;
    }

    /// <summary>
    /// The entities one request can reach: the request's principal, action, resource and the entities its context
    /// names, closed over parents and entity-valued attributes. The cedar-wasm comparator takes its entities with
    /// every call (its API has no prepared entity store), so it gets this slice instead of all 10,450 entities.
    /// </summary>
    public IReadOnlyList<GeneratedEntity> Slice(GeneratedRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var seen = new HashSet<Uid>();
        var result = new List<GeneratedEntity>();
        var pending = new Queue<Uid>([request.Principal, request.Action, request.Resource]);
        foreach (var (_, value) in request.Context)
        {
            Collect(value, pending);
        }
        while (pending.TryDequeue(out var uid))
        {
            if (!seen.Add(uid) || !_byUid.TryGetValue(uid, out var entity))
            {
                continue;
            }
            result.Add(entity);
            foreach (var parent in entity.Parents)
            {
                pending.Enqueue(parent);
            }
            foreach (var (_, value) in entity.Attributes)
            {
                Collect(value, pending);
            }
        }
        return result;
    }

    public static int CountPolicies(string policyText)
    {
        ArgumentNullException.ThrowIfNull(policyText);
        var count = 0;
        foreach (var line in policyText.Split('\n'))
        {
            var trimmed = line.TrimStart();
            if (trimmed.StartsWith("permit (", StringComparison.Ordinal) || trimmed.StartsWith("forbid (", StringComparison.Ordinal))
            {
                count++;
            }
        }
        return count;
    }

    private static void Collect(AttributeValue value, Queue<Uid> pending)
    {
        switch (value)
        {
            case EntityValue e:
                pending.Enqueue(e.Value);
                break;
            case SetValue s:
                foreach (var element in s.Elements)
                {
                    Collect(element, pending);
                }
                break;
            case RecordValue r:
                foreach (var (_, field) in r.Fields)
                {
                    Collect(field, pending);
                }
                break;
            default:
                break;
        }
    }

    private void PlanGrants(DeterministicRandom random)
    {
        for (var g = 0; g < GroupCount; g++)
        {
            _groupServers[g] = [.. Enumerable.Range(0, 3).Select(_ => random.Next(ServerCount))];
        }
        for (var t = 0; t < TeamCount; t++)
        {
            _teamDomains[t] = [.. Enumerable.Range(0, 4).Select(_ => random.Next(DomainCount))];
        }
        for (var a = 0; a < AgentCount; a++)
        {
            var hot = a < HotAgentCount;
            _agentGroups[a] = hot
                ? [a % HotGroupCount]
                : [.. Enumerable.Range(0, 1 + random.Next(2)).Select(_ => HotGroupCount + random.Next(GroupCount - HotGroupCount)).Distinct()];
            _agentTeam[a] = hot ? a % HotTeamCount : HotTeamCount + random.Next(TeamCount - HotTeamCount);
            _agentDomain[a] = random.Next(DomainCount);
        }
    }

    private void BuildEntities(DeterministicRandom random)
    {
        foreach (var action in new[] { "invokeTool", "connect", "readData", "writeData" })
        {
            Add(GeneratedEntity.Plain(Action(action)));
        }
        for (var t = 0; t < TeamCount; t++)
        {
            Add(GeneratedEntity.Plain(Team(t)));
        }
        for (var g = 0; g < GroupCount; g++)
        {
            Add(GeneratedEntity.Plain(Group(g)));
        }
        var agentEnvironment = new string[AgentCount];
        for (var a = 0; a < AgentCount; a++)
        {
            agentEnvironment[a] = random.Pick(Environments);
            Add(new GeneratedEntity(Agent(a),
            [
                ("owner", AttributeValue.Of(Team(_agentTeam[a]))),
                ("trustLevel", AttributeValue.Of((long)random.Next(5))),
                ("environment", AttributeValue.Of(agentEnvironment[a])),
                ("suspended", AttributeValue.Of(random.Chance(0.02))),
            ],
            [.. _agentGroups[a].Select(Group), Team(_agentTeam[a])]));
        }
        for (var s = 0; s < ServerCount; s++)
        {
            Add(new GeneratedEntity(Server(s),
            [
                ("vendor", AttributeValue.Of(random.Pick(Vendors))),
                ("environment", AttributeValue.Of(random.Pick(Environments))),
                ("verified", AttributeValue.Of(random.Chance(0.8))),
                ("host", AttributeValue.Of($"mcp-{s}.{(random.Chance(0.7) ? "internal" : "example.com")}")),
            ],
            []));
            for (var k = 0; k < ToolsPerServer; k++)
            {
                var sideEffectRoll = random.Next(10);
                var labels = Labels.Where(_ => random.Chance(0.2)).Select(AttributeValue.Of);
                Add(new GeneratedEntity(Tool((s * ToolsPerServer) + k),
                [
                    ("server", AttributeValue.Of(Server(s))),
                    ("sideEffect", AttributeValue.Of(sideEffectRoll < 6 ? "read" : sideEffectRoll < 9 ? "write" : "external")),
                    ("sensitivityCeiling", AttributeValue.Of((long)random.Next(4))),
                    ("labels", AttributeValue.SetOf(labels)),
                ],
                [Server(s)]));
            }
        }
        for (var d = 0; d < DomainCount; d++)
        {
            Add(GeneratedEntity.Plain(Domain(d)));
            for (var k = 0; k < DatasetsPerDomain; k++)
            {
                Add(new GeneratedEntity(Dataset((d * DatasetsPerDomain) + k),
                [
                    ("owner", AttributeValue.Of(Team(random.Next(TeamCount)))),
                    ("sensitivity", AttributeValue.Of((long)random.Next(4))),
                    ("region", AttributeValue.Of(random.Pick(Regions))),
                ],
                [Domain(d)]));
            }
        }
        for (var a = 0; a < AgentCount; a++)
        {
            // Most allowed tools come from the servers the agent's groups are granted, the rest from anywhere.
            var tools = new List<Uid>();
            var toolCount = 3 + random.Next(6);
            for (var k = 0; k < toolCount; k++)
            {
                var server = random.Chance(0.75) ? random.Pick(_groupServers[random.Pick(_agentGroups[a])]) : random.Next(ServerCount);
                tools.Add(Tool((server * ToolsPerServer) + random.Next(ToolsPerServer)));
            }
            _agentTaskTools[a] = [.. tools.Distinct()];
            Add(new GeneratedEntity(TaskOf(a),
            [
                ("agent", AttributeValue.Of(Agent(a))),
                ("owner", AttributeValue.Of(Team(_agentTeam[a]))),
                ("allowedTools", AttributeValue.SetOf(_agentTaskTools[a])),
                ("maxSensitivity", AttributeValue.Of((long)(1 + random.Next(3)))),
                ("purpose", AttributeValue.Of(random.Pick(Purposes))),
            ],
            []));
        }
    }

    private void Add(GeneratedEntity entity)
    {
        _entities.Add(entity);
        _byUid.Add(entity.Uid, entity);
    }

    private void AppendHotGrants(StringBuilder text)
    {
        for (var g = 0; g < HotGroupCount; g++)
        {
            AppendGroupGrants(text, g);
        }
        for (var a = 0; a < HotAgentCount; a++)
        {
            AppendAgentGrant(text, a);
        }
        for (var t = 0; t < HotTeamCount; t++)
        {
            AppendTeamGrants(text, t);
        }
    }

    private void AppendGroupGrants(StringBuilder text, int group)
    {
        foreach (var server in _groupServers[group])
        {
            Line(text, $"permit (principal in {Group(group)}, action == {Action("invokeTool")}, resource in {Server(server)});");
        }
    }

    private void AppendAgentGrant(StringBuilder text, int agent)
    {
        var threshold = (agent % 3) + 1;
        Line(text, $"permit (principal == {Agent(agent)}, action in [{Action("readData")}, {Action("writeData")}], resource in {Domain(_agentDomain[agent])}) when {{ resource.region == \"eu\" || resource.sensitivity <= {threshold.ToString(CultureInfo.InvariantCulture)} }};");
    }

    private void AppendTeamGrants(StringBuilder text, int team)
    {
        foreach (var domain in _teamDomains[team])
        {
            Line(text, $"permit (principal in {Team(team)}, action == {Action("writeData")}, resource in {Domain(domain)}) when {{ resource.owner == principal.owner }};");
        }
    }

    private static void Line(StringBuilder text, string policy) => text.Append(policy).Append('\n');
}
