using System.Text;
using Mandate.Cedar.Evaluation;
using Mandate.Cedar.Values;

namespace Mandate.Cedar.Syntax.Expressions;

/// <summary><c>e.attr</c> / <c>e["attr"]</c> (<see cref="IsHas"/> false) and <c>e has attr</c> (true).</summary>
internal sealed class AttributeExpr(bool isHas, Expr target, string attribute) : Expr
{
    public bool IsHas { get; } = isHas;

    public Expr Target { get; } = target;

    public string Attribute { get; } = attribute;

    public override CedarValue? Evaluate(EvaluationContext context)
    {
        var target = Target.Evaluate(context);
        if (target is null)
        {
            return null;
        }

        if (target is RecordValue record)
        {
            if (IsHas)
            {
                return BoolValue.Of(record.Attributes.ContainsKey(Attribute));
            }

            return record.Attributes.TryGetValue(Attribute, out var value)
                ? value
                : context.Fail($"record does not have the attribute `{Attribute}`");
        }

        if (target is EntityValue entity)
        {
            if (!context.TryGetStored(entity, out var stored))
            {
                return IsHas ? BoolValue.False : context.Fail($"entity `{entity.Uid}` does not exist");
            }

            if (IsHas)
            {
                return BoolValue.Of(stored.Entity.Attributes.ContainsKey(Attribute));
            }

            return stored.Entity.Attributes.TryGetValue(Attribute, out var value)
                ? value
                : context.Fail($"`{entity.Uid}` does not have the attribute `{Attribute}`");
        }

        return context.TypeError("record or entity", target);
    }

    public override void Dump(StringBuilder builder)
    {
        builder.Append(IsHas ? "(has " : "(get ");
        Target.Dump(builder);
        builder.Append(' ');
        StringEscaper.AppendQuoted(builder, Attribute);
        builder.Append(')');
    }
}
