using System.Text;
using Mandate.Cedar.Syntax.Expressions;

namespace Mandate.Cedar.Syntax;

/// <summary>A <c>when</c> (<see cref="IsWhen"/>) or <c>unless</c> clause.</summary>
internal sealed record Condition(bool IsWhen, Expr Body);

/// <summary>One parsed policy or template: annotations, effect, scope and conditions, with its source position.</summary>
internal sealed record PolicyAst(
    IReadOnlyList<KeyValuePair<string, string?>> Annotations,
    Effect Effect,
    ScopeConstraint Principal,
    ActionConstraint Action,
    ScopeConstraint Resource,
    IReadOnlyList<Condition> Conditions,
    int Line,
    int Column,
    int StartOffset,
    int EndOffset)
{
    public bool IsTemplate => Principal.IsSlot || Resource.IsSlot;

    /// <summary>A canonical structural rendering (no positions, annotation order kept) for equality checks.</summary>
    public string Dump()
    {
        var builder = new StringBuilder();
        foreach (var (key, value) in Annotations)
        {
            builder.Append('@').Append(key);
            if (value is not null)
            {
                builder.Append('(');
                StringEscaper.AppendQuoted(builder, value);
                builder.Append(')');
            }

            builder.Append(' ');
        }

        builder.Append(Effect == Effect.Permit ? "permit(" : "forbid(");
        Principal.Dump(builder, "principal");
        builder.Append(", ");
        Action.Dump(builder);
        builder.Append(", ");
        Resource.Dump(builder, "resource");
        builder.Append(')');
        foreach (var condition in Conditions)
        {
            builder.Append(condition.IsWhen ? " when " : " unless ");
            condition.Body.Dump(builder);
        }

        return builder.ToString();
    }
}
