using System.Text;
using Mandate.Cedar.Evaluation;
using Mandate.Cedar.Values;

namespace Mandate.Cedar.Syntax.Expressions;

internal sealed class RecordExpr(IReadOnlyList<KeyValuePair<string, Expr>> attributes) : Expr
{
    public IReadOnlyList<KeyValuePair<string, Expr>> Attributes { get; } = attributes;

    public override CedarValue? Evaluate(EvaluationContext context)
    {
        var map = new Dictionary<string, CedarValue>(Attributes.Count, StringComparer.Ordinal);
        foreach (var (key, expr) in Attributes)
        {
            var value = expr.Evaluate(context);
            if (value is null)
            {
                return null;
            }

            map[key] = value;
        }

        return new RecordValue(map);
    }

    public override void Dump(StringBuilder builder)
    {
        builder.Append("(record");
        foreach (var (key, expr) in Attributes.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            builder.Append(' ');
            StringEscaper.AppendQuoted(builder, key);
            builder.Append(' ');
            expr.Dump(builder);
        }

        builder.Append(')');
    }
}
