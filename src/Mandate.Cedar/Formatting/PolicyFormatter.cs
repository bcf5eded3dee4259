using System.Text;
using Mandate.Cedar.Syntax;
using Mandate.Cedar.Syntax.Expressions;
using Mandate.Cedar.Values;

namespace Mandate.Cedar.Formatting;

/// <summary>
/// Prints a policy as idiomatic Cedar: annotations on their own lines, the scope on one line when it fits in
/// <see cref="Width"/> columns (else one constraint per line), conditions as <c>when { … }</c>, long conditions broken
/// at top-level <c>&amp;&amp;</c>/<c>||</c>. Parentheses are emitted exactly where precedence needs them, so parsing
/// the output gives back the same tree.
/// </summary>
internal static class PolicyFormatter
{
    public const int Width = 80;
    private const string Indent = "  ";

    // Precedence levels, loosest first.
    private const int IfLevel = 0;
    private const int OrLevel = 1;
    private const int AndLevel = 2;
    private const int RelationLevel = 3;
    private const int AddLevel = 4;
    private const int MultiplyLevel = 5;
    private const int UnaryLevel = 6;
    private const int MemberLevel = 7;

    public static string Format(PolicyAst policy)
    {
        var builder = new StringBuilder();
        foreach (var (key, value) in policy.Annotations)
        {
            builder.Append('@').Append(key);
            if (value is not null)
            {
                builder.Append('(');
                StringEscaper.AppendQuoted(builder, value);
                builder.Append(')');
            }

            builder.Append('\n');
        }

        var effect = policy.Effect == Effect.Permit ? "permit" : "forbid";
        var principal = Scope(policy.Principal, "principal");
        var action = Scope(policy.Action);
        var resource = Scope(policy.Resource, "resource");
        var oneLine = $"{effect} ({principal}, {action}, {resource})";
        if (oneLine.Length <= Width)
        {
            builder.Append(oneLine);
        }
        else
        {
            builder.Append(effect).Append(" (\n")
                .Append(Indent).Append(principal).Append(",\n")
                .Append(Indent).Append(action).Append(",\n")
                .Append(Indent).Append(resource).Append("\n)");
        }

        foreach (var condition in policy.Conditions)
        {
            var keyword = condition.IsWhen ? "when" : "unless";
            var body = Expression(condition.Body);
            if (keyword.Length + body.Length + 6 <= Width && !body.Contains('\n', StringComparison.Ordinal))
            {
                builder.Append('\n').Append(keyword).Append(" { ").Append(body).Append(" }");
            }
            else
            {
                builder.Append('\n').Append(keyword).Append("\n{\n");
                foreach (var line in BrokenLines(condition.Body))
                {
                    builder.Append(Indent).Append(line).Append('\n');
                }

                builder.Append('}');
            }
        }

        builder.Append(';');
        return builder.ToString();
    }

    public static string Expression(Expr expr)
    {
        var builder = new StringBuilder();
        Write(builder, expr, IfLevel);
        return builder.ToString();
    }

    private static string Scope(ScopeConstraint scope, string variable)
    {
        var builder = new StringBuilder();
        scope.Dump(builder, variable);
        return builder.ToString();
    }

    private static string Scope(ActionConstraint scope)
    {
        var builder = new StringBuilder();
        scope.Dump(builder);
        return builder.ToString();
    }

    /// <summary>Splits a long condition at its top-level boolean operator, one operand per line.</summary>
    private static IEnumerable<string> BrokenLines(Expr expr)
    {
        if (expr is not LogicalExpr top)
        {
            return [Expression(expr)];
        }

        var operands = new List<Expr>();
        Flatten(top, top.IsAnd, operands);
        var level = top.IsAnd ? AndLevel : OrLevel;
        var symbol = top.IsAnd ? " &&" : " ||";
        var lines = new List<string>();
        for (var i = 0; i < operands.Count; i++)
        {
            var builder = new StringBuilder();
            // The first operand is the left-most (left-associative); the others need a tighter level to keep the tree.
            Write(builder, operands[i], i == 0 ? level : level + 1);
            if (i + 1 < operands.Count)
            {
                builder.Append(symbol);
            }

            lines.Add(builder.ToString());
        }

        return lines;
    }

    private static void Flatten(Expr expr, bool isAnd, List<Expr> operands)
    {
        if (expr is LogicalExpr logical && logical.IsAnd == isAnd)
        {
            Flatten(logical.Left, isAnd, operands);
            operands.Add(logical.Right);
        }
        else
        {
            operands.Add(expr);
        }
    }

    private static int LevelOf(Expr expr) => expr switch
    {
        IfExpr => IfLevel,
        LogicalExpr l => l.IsAnd ? AndLevel : OrLevel,
        BinaryExpr b => b.Operator switch
        {
            BinaryOperator.Add or BinaryOperator.Subtract => AddLevel,
            BinaryOperator.Multiply => MultiplyLevel,
            BinaryOperator.Contains or BinaryOperator.ContainsAll or BinaryOperator.ContainsAny
                or BinaryOperator.GetTag or BinaryOperator.HasTag => MemberLevel,
            _ => RelationLevel,
        },
        AttributeExpr a => a.IsHas ? RelationLevel : MemberLevel,
        LikeExpr or IsExpr => RelationLevel,
        UnaryExpr u => u.Operator == UnaryOperator.IsEmpty ? MemberLevel : UnaryLevel,
        LiteralExpr { Value: LongValue { Value: < 0 } } => UnaryLevel,
        _ => MemberLevel,
    };

    private static void Write(StringBuilder builder, Expr expr, int required)
    {
        var parenthesize = LevelOf(expr) < required;
        if (parenthesize)
        {
            builder.Append('(');
        }

        WriteBare(builder, expr);
        if (parenthesize)
        {
            builder.Append(')');
        }
    }

    private static void WriteBare(StringBuilder builder, Expr expr)
    {
        switch (expr)
        {
            case LiteralExpr literal:
                literal.Value.AppendCedar(builder);
                break;
            case VariableExpr variable:
                builder.Append(variable.Variable switch
                {
                    Variable.Principal => "principal",
                    Variable.Action => "action",
                    Variable.Resource => "resource",
                    _ => "context",
                });
                break;
            case IfExpr conditional:
                builder.Append("if ");
                Write(builder, conditional.Condition, IfLevel);
                builder.Append(" then ");
                Write(builder, conditional.Then, IfLevel);
                builder.Append(" else ");
                Write(builder, conditional.Else, IfLevel);
                break;
            case LogicalExpr logical:
            {
                var level = logical.IsAnd ? AndLevel : OrLevel;
                Write(builder, logical.Left, level);
                builder.Append(logical.IsAnd ? " && " : " || ");
                Write(builder, logical.Right, level + 1);
                break;
            }

            case BinaryExpr binary:
                WriteBinary(builder, binary);
                break;
            case UnaryExpr unary:
                if (unary.Operator == UnaryOperator.IsEmpty)
                {
                    Write(builder, unary.Operand, MemberLevel);
                    builder.Append(".isEmpty()");
                }
                else
                {
                    builder.Append(unary.Operator == UnaryOperator.Not ? '!' : '-');
                    // A negated literal must keep its parentheses, or `-5` would read back as the literal -5.
                    var operandNeedsParens = unary.Operator == UnaryOperator.Negate && unary.Operand is LiteralExpr { Value: LongValue };
                    if (operandNeedsParens)
                    {
                        builder.Append('(');
                        WriteBare(builder, unary.Operand);
                        builder.Append(')');
                    }
                    else
                    {
                        Write(builder, unary.Operand, MemberLevel);
                    }
                }

                break;
            case AttributeExpr attribute:
                if (attribute.IsHas)
                {
                    Write(builder, attribute.Target, AddLevel);
                    builder.Append(" has ");
                    AppendAttributeName(builder, attribute.Attribute);
                }
                else
                {
                    Write(builder, attribute.Target, MemberLevel);
                    if (Names.IsUnreservedIdentifier(attribute.Attribute))
                    {
                        builder.Append('.').Append(attribute.Attribute);
                    }
                    else
                    {
                        builder.Append('[');
                        StringEscaper.AppendQuoted(builder, attribute.Attribute);
                        builder.Append(']');
                    }
                }

                break;
            case LikeExpr like:
                Write(builder, like.Target, AddLevel);
                builder.Append(" like ");
                like.Pattern.AppendLiteral(builder);
                break;
            case IsExpr isExpr:
                Write(builder, isExpr.Target, AddLevel);
                builder.Append(" is ").Append(isExpr.EntityType);
                if (isExpr.InExpr is not null)
                {
                    builder.Append(" in ");
                    Write(builder, isExpr.InExpr, AddLevel);
                }

                break;
            case SetExpr set:
                builder.Append('[');
                for (var i = 0; i < set.Items.Count; i++)
                {
                    if (i > 0)
                    {
                        builder.Append(", ");
                    }

                    Write(builder, set.Items[i], IfLevel);
                }

                builder.Append(']');
                break;
            case RecordExpr record:
                builder.Append('{');
                for (var i = 0; i < record.Attributes.Count; i++)
                {
                    if (i > 0)
                    {
                        builder.Append(", ");
                    }

                    var (key, value) = record.Attributes[i];
                    if (Names.IsUnreservedIdentifier(key) && key is not ("principal" or "action" or "resource" or "context"))
                    {
                        builder.Append(key);
                    }
                    else
                    {
                        StringEscaper.AppendQuoted(builder, key);
                    }

                    builder.Append(": ");
                    Write(builder, value, IfLevel);
                }

                builder.Append('}');
                break;
            case ExtensionCallExpr call:
                if (call.Function.IsMethod)
                {
                    Write(builder, call.Arguments[0], MemberLevel);
                    builder.Append('.').Append(call.Function.Name).Append('(');
                    WriteArguments(builder, call.Arguments, 1);
                }
                else
                {
                    builder.Append(call.Function.Name).Append('(');
                    WriteArguments(builder, call.Arguments, 0);
                }

                builder.Append(')');
                break;
            default:
                throw new InvalidOperationException($"unknown expression node {expr.GetType().Name}");
        }
    }

    private static void WriteArguments(StringBuilder builder, IReadOnlyList<Expr> arguments, int start)
    {
        for (var i = start; i < arguments.Count; i++)
        {
            if (i > start)
            {
                builder.Append(", ");
            }

            Write(builder, arguments[i], IfLevel);
        }
    }

    private static void AppendAttributeName(StringBuilder builder, string name)
    {
        if (Names.IsUnreservedIdentifier(name))
        {
            builder.Append(name);
        }
        else
        {
            StringEscaper.AppendQuoted(builder, name);
        }
    }

    private static void WriteBinary(StringBuilder builder, BinaryExpr binary)
    {
        string? method = binary.Operator switch
        {
            BinaryOperator.Contains => "contains",
            BinaryOperator.ContainsAll => "containsAll",
            BinaryOperator.ContainsAny => "containsAny",
            BinaryOperator.GetTag => "getTag",
            BinaryOperator.HasTag => "hasTag",
            _ => null,
        };
        if (method is not null)
        {
            Write(builder, binary.Left, MemberLevel);
            builder.Append('.').Append(method).Append('(');
            Write(builder, binary.Right, IfLevel);
            builder.Append(')');
            return;
        }

        var (symbol, leftLevel, rightLevel) = binary.Operator switch
        {
            BinaryOperator.Add => ("+", AddLevel, MultiplyLevel),
            BinaryOperator.Subtract => ("-", AddLevel, MultiplyLevel),
            BinaryOperator.Multiply => ("*", MultiplyLevel, UnaryLevel),
            BinaryOperator.Equal => ("==", AddLevel, AddLevel),
            BinaryOperator.NotEqual => ("!=", AddLevel, AddLevel),
            BinaryOperator.Less => ("<", AddLevel, AddLevel),
            BinaryOperator.LessEqual => ("<=", AddLevel, AddLevel),
            BinaryOperator.Greater => (">", AddLevel, AddLevel),
            BinaryOperator.GreaterEqual => (">=", AddLevel, AddLevel),
            _ => ("in", AddLevel, AddLevel),
        };
        Write(builder, binary.Left, leftLevel);
        builder.Append(' ').Append(symbol).Append(' ');
        Write(builder, binary.Right, rightLevel);
    }
}
