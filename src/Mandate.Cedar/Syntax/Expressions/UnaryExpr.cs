using System.Text;
using Mandate.Cedar.Evaluation;
using Mandate.Cedar.Values;

namespace Mandate.Cedar.Syntax.Expressions;

internal enum UnaryOperator
{
    Not,
    Negate,
    IsEmpty,
}

/// <summary><c>!e</c>, <c>-e</c> (with overflow error) and <c>e.isEmpty()</c>.</summary>
internal sealed class UnaryExpr(UnaryOperator op, Expr operand) : Expr
{
    public UnaryOperator Operator { get; } = op;

    public Expr Operand { get; } = operand;

    public override CedarValue? Evaluate(EvaluationContext context)
    {
        var value = Operand.Evaluate(context);
        if (value is null)
        {
            return null;
        }

        switch (Operator)
        {
            case UnaryOperator.Not:
                return value is BoolValue b ? BoolValue.Of(!b.Value) : context.TypeError("bool", value);
            case UnaryOperator.Negate:
                if (value is not LongValue l)
                {
                    return context.TypeError("long", value);
                }

                return l.Value == long.MinValue
                    ? context.Fail($"integer overflow while attempting to negate the value `{l.Value}`")
                    : LongValue.Of(-l.Value);
            default:
                return value is SetValue s ? BoolValue.Of(s.Count == 0) : context.TypeError("set", value);
        }
    }

    public override void Dump(StringBuilder builder)
    {
        builder.Append('(').Append(Operator).Append(' ');
        Operand.Dump(builder);
        builder.Append(')');
    }
}
