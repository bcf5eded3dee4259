using System.Text;
using Mandate.Cedar.Evaluation;
using Mandate.Cedar.Values;

namespace Mandate.Cedar.Syntax.Expressions;

/// <summary><c>e is T</c> and <c>e is T in x</c> (which is <c>e is T &amp;&amp; e in x</c>).</summary>
internal sealed class IsExpr(Expr target, string entityType, Expr? inExpr) : Expr
{
    public Expr Target { get; } = target;

    public string EntityType { get; } = entityType;

    public Expr? InExpr { get; } = inExpr;

    public override CedarValue? Evaluate(EvaluationContext context)
    {
        var target = Target.Evaluate(context);
        if (target is null)
        {
            return null;
        }

        if (target is not EntityValue entity)
        {
            return context.TypeError("entity", target);
        }

        if (!string.Equals(entity.Uid.Type, EntityType, StringComparison.Ordinal))
        {
            return BoolValue.False;
        }

        if (InExpr is null)
        {
            return BoolValue.True;
        }

        var container = InExpr.Evaluate(context);
        if (container is null)
        {
            return null;
        }

        if (container is EntityValue parent)
        {
            return BoolValue.Of(context.IsIn(entity, parent.Uid));
        }

        if (container is not SetValue set)
        {
            return context.TypeError("set or entity", container);
        }

        if (set.FirstNonEntity is { } notEntity)
        {
            return context.TypeError("set of entities", notEntity);
        }

        return BoolValue.Of(context.IsInAny(entity, set));
    }

    public override void Dump(StringBuilder builder)
    {
        builder.Append("(is ");
        Target.Dump(builder);
        builder.Append(' ').Append(EntityType);
        if (InExpr is not null)
        {
            builder.Append(' ');
            InExpr.Dump(builder);
        }

        builder.Append(')');
    }
}
