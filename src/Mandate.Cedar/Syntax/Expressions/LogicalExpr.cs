using System.Text;
using Mandate.Cedar.Evaluation;
using Mandate.Cedar.Values;

namespace Mandate.Cedar.Syntax.Expressions;

/// <summary><c>a &amp;&amp; b</c> and <c>a || b</c>, short-circuiting, both sides must be booleans.</summary>
internal sealed class LogicalExpr(bool isAnd, Expr left, Expr right) : Expr
{
    public bool IsAnd { get; } = isAnd;

    public Expr Left { get; } = left;

    public Expr Right { get; } = right;

    public override CedarValue? Evaluate(EvaluationContext context)
    {
        var left = Left.Evaluate(context);
        if (left is null)
        {
            return null;
        }

        if (left is not BoolValue l)
        {
            return context.TypeError("bool", left);
        }

        if (l.Value != IsAnd)
        {
            return l; // false && _ is false; true || _ is true
        }

        var right = Right.Evaluate(context);
        if (right is null)
        {
            return null;
        }

        return right is BoolValue ? right : context.TypeError("bool", right);
    }

    public override void Dump(StringBuilder builder)
    {
        builder.Append(IsAnd ? "(and " : "(or ");
        Left.Dump(builder);
        builder.Append(' ');
        Right.Dump(builder);
        builder.Append(')');
    }
}
