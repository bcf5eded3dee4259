using System.Text;
using Mandate.Cedar.Evaluation;
using Mandate.Cedar.Values;

namespace Mandate.Cedar.Syntax.Expressions;

internal enum BinaryOperator
{
    Equal,
    NotEqual,
    Less,
    LessEqual,
    Greater,
    GreaterEqual,
    In,
    Add,
    Subtract,
    Multiply,
    Contains,
    ContainsAll,
    ContainsAny,
    GetTag,
    HasTag,
}

/// <summary>Binary operators and the built-in two-argument methods. Both operands are evaluated, left first.</summary>
internal sealed class BinaryExpr(BinaryOperator op, Expr left, Expr right) : Expr
{
    public BinaryOperator Operator { get; } = op;

    public Expr Left { get; } = left;

    public Expr Right { get; } = right;

    public override CedarValue? Evaluate(EvaluationContext context)
    {
        var left = Left.Evaluate(context);
        if (left is null)
        {
            return null;
        }

        var right = Right.Evaluate(context);
        if (right is null)
        {
            return null;
        }

        switch (Operator)
        {
            case BinaryOperator.Equal:
                return BoolValue.Of(left.Equals(right));
            case BinaryOperator.NotEqual:
                return BoolValue.Of(!left.Equals(right));
            case BinaryOperator.Less:
            case BinaryOperator.LessEqual:
            case BinaryOperator.Greater:
            case BinaryOperator.GreaterEqual:
                return Compare(left, right, context);
            case BinaryOperator.Add:
            case BinaryOperator.Subtract:
            case BinaryOperator.Multiply:
                return Arithmetic(left, right, context);
            case BinaryOperator.In:
                return In(left, right, context);
            case BinaryOperator.Contains:
                return left is SetValue set ? BoolValue.Of(set.Contains(right)) : context.TypeError("set", left);
            case BinaryOperator.ContainsAll:
            case BinaryOperator.ContainsAny:
                if (left is not SetValue a)
                {
                    return context.TypeError("set", left);
                }

                if (right is not SetValue b)
                {
                    return context.TypeError("set", right);
                }

                return BoolValue.Of(Operator == BinaryOperator.ContainsAll ? a.ContainsAll(b) : a.ContainsAny(b));
            default:
                return Tag(left, right, context);
        }
    }

    public override void Dump(StringBuilder builder)
    {
        builder.Append('(').Append(Operator).Append(' ');
        Left.Dump(builder);
        builder.Append(' ');
        Right.Dump(builder);
        builder.Append(')');
    }

    private CedarValue? Compare(CedarValue left, CedarValue right, EvaluationContext context)
    {
        long a, b;
        if (left is LongValue la && right is LongValue lb)
        {
            (a, b) = (la.Value, lb.Value);
        }
        else if (left is DatetimeValue da && right is DatetimeValue db)
        {
            (a, b) = (da.EpochMilliseconds, db.EpochMilliseconds);
        }
        else if (left is DurationValue ua && right is DurationValue ub)
        {
            (a, b) = (ua.Milliseconds, ub.Milliseconds);
        }
        else
        {
            var expected = left switch
            {
                LongValue => "long",
                DatetimeValue => "datetime",
                DurationValue => "duration",
                _ => right switch
                {
                    LongValue => "long",
                    DatetimeValue => "datetime",
                    DurationValue => "duration",
                    _ => "long, datetime or duration (only these support comparison)",
                },
            };
            var offending = left is LongValue or DatetimeValue or DurationValue ? right : left;
            return context.TypeError(expected, offending);
        }

        return BoolValue.Of(Operator switch
        {
            BinaryOperator.Less => a < b,
            BinaryOperator.LessEqual => a <= b,
            BinaryOperator.Greater => a > b,
            _ => a >= b,
        });
    }

    private CedarValue? Arithmetic(CedarValue left, CedarValue right, EvaluationContext context)
    {
        if (left is not LongValue a)
        {
            return context.TypeError("long", left);
        }

        if (right is not LongValue b)
        {
            return context.TypeError("long", right);
        }

        long result;
        bool overflow;
        switch (Operator)
        {
            case BinaryOperator.Add:
                result = unchecked(a.Value + b.Value);
                overflow = ((a.Value ^ result) & (b.Value ^ result)) < 0;
                break;
            case BinaryOperator.Subtract:
                result = unchecked(a.Value - b.Value);
                overflow = ((a.Value ^ b.Value) & (a.Value ^ result)) < 0;
                break;
            default:
                var product = (Int128)a.Value * b.Value;
                overflow = product > long.MaxValue || product < long.MinValue;
                result = unchecked((long)product);
                break;
        }

        if (overflow)
        {
            var symbol = Operator switch { BinaryOperator.Add => "+", BinaryOperator.Subtract => "-", _ => "*" };
            return context.Fail($"integer overflow while attempting to evaluate `{a.Value} {symbol} {b.Value}`");
        }

        return LongValue.Of(result);
    }

    private static CedarValue? In(CedarValue left, CedarValue right, EvaluationContext context)
    {
        if (left is not EntityValue child)
        {
            return right switch
            {
                SetValue => context.Fail($"type error: expected entity, got {TypeNames.Describe(left)}; `in` is for the entity hierarchy, use `.contains()` to test set membership"),
                RecordValue => context.Fail($"type error: expected entity, got {TypeNames.Describe(left)}; `in` is for the entity hierarchy, use `has` to test whether a record has a key"),
                _ => context.TypeError("entity", left),
            };
        }

        if (right is EntityValue parent)
        {
            return BoolValue.Of(context.IsIn(child, parent.Uid));
        }

        if (right is not SetValue set)
        {
            return context.TypeError("set or entity", right);
        }

        if (set.FirstNonEntity is { } notEntity)
        {
            return context.TypeError("set of entities", notEntity);
        }

        return BoolValue.Of(context.IsInAny(child, set));
    }

    private CedarValue? Tag(CedarValue left, CedarValue right, EvaluationContext context)
    {
        if (left is not EntityValue entity)
        {
            return context.TypeError("entity", left);
        }

        if (right is not StringValue key)
        {
            return context.TypeError("string", right);
        }

        var found = context.TryGetStored(entity, out var stored);
        if (Operator == BinaryOperator.HasTag)
        {
            return BoolValue.Of(found && stored.Entity.Tags.ContainsKey(key.Value));
        }

        if (!found)
        {
            return context.Fail($"entity `{entity.Uid}` does not exist");
        }

        return stored.Entity.Tags.TryGetValue(key.Value, out var value)
            ? value
            : context.Fail($"`{entity.Uid}` does not have the tag `{key.Value}`");
    }
}
