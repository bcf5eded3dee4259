using Mandate.Cedar.Syntax.Expressions;

namespace Mandate.Cedar.Analysis;

/// <summary>Which request variables an expression reads, found by walking its tree.</summary>
[Flags]
internal enum VariableReads
{
    None = 0,
    Principal = 1,
    Action = 2,
    Resource = 4,
    Context = 8,
}

internal static class ConditionReads
{
    public static VariableReads Of(Expr expression)
    {
        var reads = VariableReads.None;
        var pending = new Stack<Expr>();
        pending.Push(expression);
        while (pending.TryPop(out var next))
        {
            switch (next)
            {
                case VariableExpr variable:
                    reads |= variable.Variable switch
                    {
                        Variable.Principal => VariableReads.Principal,
                        Variable.Action => VariableReads.Action,
                        Variable.Resource => VariableReads.Resource,
                        _ => VariableReads.Context,
                    };
                    break;
                case AttributeExpr attribute:
                    pending.Push(attribute.Target);
                    break;
                case BinaryExpr binary:
                    pending.Push(binary.Left);
                    pending.Push(binary.Right);
                    break;
                case LogicalExpr logical:
                    pending.Push(logical.Left);
                    pending.Push(logical.Right);
                    break;
                case ExtensionCallExpr call:
                    foreach (var argument in call.Arguments)
                    {
                        pending.Push(argument);
                    }

                    break;
                case IfExpr branch:
                    pending.Push(branch.Condition);
                    pending.Push(branch.Then);
                    pending.Push(branch.Else);
                    break;
                case IsExpr test:
                    pending.Push(test.Target);
                    if (test.InExpr is { } inExpr)
                    {
                        pending.Push(inExpr);
                    }

                    break;
                case LikeExpr like:
                    pending.Push(like.Target);
                    break;
                case RecordExpr record:
                    foreach (var (_, value) in record.Attributes)
                    {
                        pending.Push(value);
                    }

                    break;
                case SetExpr set:
                    foreach (var item in set.Items)
                    {
                        pending.Push(item);
                    }

                    break;
                case UnaryExpr unary:
                    pending.Push(unary.Operand);
                    break;
            }
        }

        return reads;
    }

    /// <summary>The conjuncts of a top-level <c>&amp;&amp;</c> chain (the expression itself when it is not one).</summary>
    public static IEnumerable<Expr> Conjuncts(Expr expression)
    {
        var pending = new Stack<Expr>();
        pending.Push(expression);
        while (pending.TryPop(out var next))
        {
            if (next is LogicalExpr { IsAnd: true } and)
            {
                pending.Push(and.Right);
                pending.Push(and.Left);
            }
            else
            {
                yield return next;
            }
        }
    }
}
