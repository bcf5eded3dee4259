using System.Text;
using Mandate.Cedar.Evaluation;

namespace Mandate.Cedar.Syntax.Expressions;

/// <summary>An extension function (<c>ip("…")</c>) or method (<c>a.lessThan(b)</c>; the receiver is argument 0).</summary>
internal sealed class ExtensionCallExpr(ExtensionFunction function, IReadOnlyList<Expr> arguments) : Expr
{
    public ExtensionFunction Function { get; } = function;

    public IReadOnlyList<Expr> Arguments { get; } = arguments;

    // Calls on literals (`ip("10.0.0.0/8")`, `decimal("1.5")`) give the same value every time: compute it once.
    // Erroring calls are not cached, so each evaluation still reports its error.
    private readonly bool isConstant = arguments.All(a => a is LiteralExpr);
    private CedarValue? constant;

    public override CedarValue? Evaluate(EvaluationContext context)
    {
        if (constant is not null)
        {
            return constant;
        }

        var result = EvaluateArguments(context);
        if (isConstant && result is not null)
        {
            constant = result;
        }

        return result;
    }

    private CedarValue? EvaluateArguments(EvaluationContext context)
    {
        var values = new CedarValue[Arguments.Count];
        for (var i = 0; i < values.Length; i++)
        {
            var value = Arguments[i].Evaluate(context);
            if (value is null)
            {
                return null;
            }

            values[i] = value;
        }

        return Function.Invoke(values, context);
    }

    public override void Dump(StringBuilder builder)
    {
        builder.Append("(call ").Append(Function.Name);
        foreach (var argument in Arguments)
        {
            builder.Append(' ');
            argument.Dump(builder);
        }

        builder.Append(')');
    }
}
