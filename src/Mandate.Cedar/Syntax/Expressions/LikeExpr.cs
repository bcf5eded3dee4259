using System.Text;
using Mandate.Cedar.Evaluation;
using Mandate.Cedar.Values;

namespace Mandate.Cedar.Syntax.Expressions;

internal sealed class LikeExpr(Expr target, Pattern pattern) : Expr
{
    public Expr Target { get; } = target;

    public Pattern Pattern { get; } = pattern;

    public override CedarValue? Evaluate(EvaluationContext context)
    {
        var target = Target.Evaluate(context);
        if (target is null)
        {
            return null;
        }

        return target is StringValue s ? BoolValue.Of(Pattern.Matches(s.Value)) : context.TypeError("string", target);
    }

    public override void Dump(StringBuilder builder)
    {
        builder.Append("(like ");
        Target.Dump(builder);
        builder.Append(' ');
        Pattern.AppendLiteral(builder);
        builder.Append(')');
    }
}
