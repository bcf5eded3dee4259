using System.Text;
using Mandate.Cedar.Evaluation;
using Mandate.Cedar.Values;

namespace Mandate.Cedar.Syntax.Expressions;

internal sealed class SetExpr(IReadOnlyList<Expr> items) : Expr
{
    public IReadOnlyList<Expr> Items { get; } = items;

    public override CedarValue? Evaluate(EvaluationContext context)
    {
        if (Items.Count == 0)
        {
            return SetValue.Empty;
        }

        var values = new CedarValue[Items.Count];
        for (var i = 0; i < values.Length; i++)
        {
            var value = Items[i].Evaluate(context);
            if (value is null)
            {
                return null;
            }

            values[i] = value;
        }

        return SetValue.Of(values);
    }

    public override void Dump(StringBuilder builder)
    {
        builder.Append("(set");
        foreach (var item in Items)
        {
            builder.Append(' ');
            item.Dump(builder);
        }

        builder.Append(')');
    }
}
