using System.Text;
using Mandate.Cedar.Evaluation;

namespace Mandate.Cedar.Syntax.Expressions;

/// <summary>A boolean, integer, string or entity literal.</summary>
internal sealed class LiteralExpr(CedarValue value) : Expr
{
    public CedarValue Value { get; } = value;

    public override CedarValue? Evaluate(EvaluationContext context) => Value;

    public override void Dump(StringBuilder builder) => Value.AppendCedar(builder);
}
