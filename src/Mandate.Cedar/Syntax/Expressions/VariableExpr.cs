using System.Text;
using Mandate.Cedar.Evaluation;

namespace Mandate.Cedar.Syntax.Expressions;

internal sealed class VariableExpr(Variable variable) : Expr
{
    public Variable Variable { get; } = variable;

    public override CedarValue? Evaluate(EvaluationContext context) => Variable switch
    {
        Variable.Principal => context.Principal,
        Variable.Action => context.Action,
        Variable.Resource => context.Resource,
        _ => context.Context,
    };

    public override void Dump(StringBuilder builder) => builder.Append(Variable.ToString().ToLowerInvariant());
}
