using System.Text;
using Mandate.Cedar.Evaluation;

namespace Mandate.Cedar.Syntax.Expressions;

/// <summary>
/// A Cedar expression. The syntax tree is also the evaluation tree: <see cref="Evaluate"/> returns the value, or null
/// with the error message left in the <see cref="EvaluationContext"/> (errors are values, not exceptions).
/// </summary>
internal abstract class Expr
{
    public int Line { get; init; }

    public int Column { get; init; }

    /// <summary>Height of the tree below this node (a leaf is 1); bounded by the parser so evaluation cannot overflow the stack.</summary>
    public int Depth { get; set; } = 1;

    public abstract CedarValue? Evaluate(EvaluationContext context);

    /// <summary>A canonical, position-free rendering used to compare trees structurally.</summary>
    public abstract void Dump(StringBuilder builder);

    public string Dump()
    {
        var builder = new StringBuilder();
        Dump(builder);
        return builder.ToString();
    }
}
