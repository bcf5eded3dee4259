using Mandate.Cedar.Formatting;
using Mandate.Cedar.Syntax;

namespace Mandate.Cedar;

/// <summary>
/// One policy, template or template-linked policy. <see cref="Annotations"/> maps each annotation to its value
/// (a valueless annotation such as <c>@reviewed</c> has the value <c>""</c>). <see cref="ToString"/> gives Cedar text.
/// </summary>
public sealed class Policy
{
    internal Policy(string id, PolicyAst ast, string? source, string? templateId = null, IReadOnlyDictionary<string, EntityUid>? slots = null)
    {
        Id = id;
        Ast = ast;
        Source = source;
        TemplateId = templateId;
        SlotValues = slots ?? new Dictionary<string, EntityUid>(StringComparer.Ordinal);
        var annotations = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in ast.Annotations)
        {
            annotations[key] = value ?? "";
        }

        Annotations = annotations;
    }

    /// <summary>The policy's id in its set (see <see cref="PolicySet"/> for how ids are given).</summary>
    public string Id { get; }

    /// <summary>Whether the policy permits or forbids.</summary>
    public Effect Effect => Ast.Effect;

    /// <summary>The policy's annotations by name, without the <c>@</c>.</summary>
    public IReadOnlyDictionary<string, string> Annotations { get; }

    /// <summary>True for a template (a policy with <c>?principal</c> or <c>?resource</c> slots), which is never evaluated itself.</summary>
    public bool IsTemplate => Ast.IsTemplate;

    /// <summary>For a template-linked policy, the id of its template; otherwise null.</summary>
    public string? TemplateId { get; }

    /// <summary>For a template-linked policy, the slot values (<c>?principal</c>, <c>?resource</c>) it was linked with.</summary>
    public IReadOnlyDictionary<string, EntityUid> SlotValues { get; }

    /// <summary>Where the policy text came from (a file name, for example), as given to the parser; null when not given.</summary>
    public string? Source { get; }

    /// <summary>The line of the policy's start in its source.</summary>
    public int Line => Ast.Line;

    /// <summary>The column of the policy's start in its source.</summary>
    public int Column => Ast.Column;

    internal PolicyAst Ast { get; }

    /// <summary>The policy as formatted Cedar text.</summary>
    public override string ToString() => PolicyFormatter.Format(Ast);
}
