using System.Text;
using Mandate.Cedar.Evaluation;
using Mandate.Cedar.Values;

namespace Mandate.Cedar.Syntax.Expressions;

internal sealed class IfExpr(Expr condition, Expr then, Expr otherwise) : Expr
{
    public Expr Condition { get; } = condition;

    public Expr Then { get; } = then;

    public Expr Else { get; } = otherwise;

    public override CedarValue? Evaluate(EvaluationContext context)
    {
        var condition = Condition.Evaluate(context);
        if (condition is null)
        {
            return null;
        }

        if (condition is not BoolValue b)
        {
            return context.TypeError("bool", condition);
        }

        return b.Value ? Then.Evaluate(context) : Else.Evaluate(context);
    }

    public override void Dump(StringBuilder builder)
    {
        builder.Append("(if ");
        Condition.Dump(builder);
        builder.Append(' ');
        Then.Dump(builder);
        builder.Append(' ');
        Else.Dump(builder);
        builder.Append(')');
    }
}
