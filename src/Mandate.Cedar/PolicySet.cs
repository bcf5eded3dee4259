using Mandate.Cedar.Evaluation;
using Mandate.Cedar.Syntax;

namespace Mandate.Cedar;

/// <summary>
/// An immutable, prepared set of policies and templates: parsed once, indexed by scope so a request only evaluates the
/// policies that can apply to it. Ids: <c>policy0</c>, <c>policy1</c>, … in source order (templates count too);
/// with an id prefix, <c>prefix + "policy" + n</c>. Annotations, <c>@id</c> included, never change ids.
/// </summary>
public sealed class PolicySet
{
    private readonly Dictionary<string, Policy> byId;

    private PolicySet(IReadOnlyList<Policy> policies)
    {
        Policies = policies;
        byId = new Dictionary<string, Policy>(StringComparer.Ordinal);
        foreach (var policy in policies)
        {
            if (!byId.TryAdd(policy.Id, policy))
            {
                throw new CedarException($"duplicate policy id `{policy.Id}`");
            }
        }

        Index = new PolicyIndex(policies.Where(p => !p.IsTemplate));
    }

    /// <summary>A set with no policies: every request is denied.</summary>
    public static PolicySet Empty { get; } = new([]);

    /// <summary>Every policy, template and linked policy, in order.</summary>
    public IReadOnlyList<Policy> Policies { get; }

    /// <summary>How many policies, templates and linked policies the set holds.</summary>
    public int Count => Policies.Count;

    internal PolicyIndex Index { get; }

    /// <summary>Parses policy text; throws <see cref="CedarParseException"/> listing every error with its position.</summary>
    public static PolicySet Parse(string text, string? source = null) => Parse(text, source, "");

    /// <summary>Parses policy text giving ids <c>idPrefix + "policy" + n</c> (so sets from several files can be merged).</summary>
    public static PolicySet Parse(string text, string? source, string idPrefix)
    {
        if (!TryParse(text, source, idPrefix, out var set, out var diagnostics))
        {
            throw new CedarParseException(diagnostics);
        }

        return set;
    }

    /// <summary>Parses policy text without throwing on syntax errors: false and every error in <paramref name="diagnostics"/>.</summary>
    public static bool TryParse(string text, string? source, out PolicySet set, out IReadOnlyList<CedarDiagnostic> diagnostics) =>
        TryParse(text, source, "", out set, out diagnostics);

    /// <summary>Parses policy text with an id prefix, without throwing on syntax errors: false and every error in <paramref name="diagnostics"/>.</summary>
    public static bool TryParse(string text, string? source, string idPrefix, out PolicySet set, out IReadOnlyList<CedarDiagnostic> diagnostics)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(idPrefix);
        var errors = new List<SyntaxError>();
        var asts = Parser.ParsePolicies(text, errors, out _);
        if (errors.Count > 0)
        {
            diagnostics = errors.Select(e => new CedarDiagnostic(CedarDiagnostic.SyntaxErrorCode, e.Message, source, e.Line, e.Column)).ToList();
            set = Empty;
            return false;
        }

        var policies = new List<Policy>(asts.Count);
        for (var i = 0; i < asts.Count; i++)
        {
            policies.Add(new Policy(idPrefix + "policy" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), asts[i], source));
        }

        diagnostics = [];
        set = new PolicySet(policies);
        return true;
    }

    /// <summary>Combines sets; throws <see cref="CedarException"/> when two policies share an id.</summary>
    public static PolicySet Merge(IEnumerable<PolicySet> sets)
    {
        ArgumentNullException.ThrowIfNull(sets);
        return new PolicySet(sets.SelectMany(s => s.Policies).ToList());
    }

    /// <summary>Creates a set from individual policies (for example policies taken from other sets).</summary>
    public static PolicySet Create(IEnumerable<Policy> policies)
    {
        ArgumentNullException.ThrowIfNull(policies);
        return new PolicySet(policies.ToList());
    }

    /// <summary>Finds a policy, template or linked policy by id.</summary>
    public bool TryGetPolicy(string id, out Policy policy) => byId.TryGetValue(id, out policy!);

    /// <summary>
    /// A new set with <paramref name="templateId"/> linked under <paramref name="newId"/>. <paramref name="slots"/> maps
    /// <c>?principal</c> and/or <c>?resource</c> (the <c>?</c> is optional) to entities; every slot of the template must be filled.
    /// </summary>
    public PolicySet Link(string templateId, string newId, IReadOnlyDictionary<string, EntityUid> slots)
    {
        ArgumentNullException.ThrowIfNull(slots);
        if (!byId.TryGetValue(templateId, out var template) || !template.IsTemplate)
        {
            throw new CedarException($"`{templateId}` is not a template in this policy set");
        }

        if (byId.ContainsKey(newId))
        {
            throw new CedarException($"duplicate policy id `{newId}`");
        }

        var values = new Dictionary<string, EntityUid>(StringComparer.Ordinal);
        foreach (var (name, value) in slots)
        {
            var slot = name.StartsWith('?') ? name : "?" + name;
            if (slot is not ("?principal" or "?resource"))
            {
                throw new CedarException($"`{name}` is not a slot: templates have `?principal` and `?resource`");
            }

            values[slot] = value;
        }

        var ast = template.Ast;
        var needed = new List<string>();
        if (ast.Principal.IsSlot)
        {
            needed.Add("?principal");
        }

        if (ast.Resource.IsSlot)
        {
            needed.Add("?resource");
        }

        foreach (var slot in needed)
        {
            if (!values.ContainsKey(slot))
            {
                throw new CedarException($"linking `{templateId}` needs a value for `{slot}`");
            }
        }

        foreach (var slot in values.Keys)
        {
            if (!needed.Contains(slot))
            {
                throw new CedarException($"the template `{templateId}` has no `{slot}` slot");
            }
        }

        var linked = ast with
        {
            Principal = values.TryGetValue("?principal", out var p) ? ast.Principal.Link(p) : ast.Principal,
            Resource = values.TryGetValue("?resource", out var r) ? ast.Resource.Link(r) : ast.Resource,
        };
        var policy = new Policy(newId, linked, template.Source, templateId, values);
        return new PolicySet([.. Policies, policy]);
    }
}
