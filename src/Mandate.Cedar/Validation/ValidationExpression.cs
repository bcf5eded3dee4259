using System.Text;

namespace Mandate.Cedar.Validation;

// The typechecker works on this small expression tree rather than on the parser's AST directly: the policy's scope
// and conditions are lowered into one boolean condition (as Cedar's validator does), and derived forms (`!=`, `>`,
// `>=`, nested `has`) are already rewritten into the core operators, so the checker has one case per core operator.

internal enum VariableKind
{
    Principal,
    Action,
    Resource,
    Context,
}

internal enum UnaryOperator
{
    Not,
    Negate,
    IsEmpty,
}

internal enum BinaryOperator
{
    Equal,
    Less,
    LessEqual,
    Add,
    Subtract,
    Multiply,
    In,
    Contains,
    ContainsAll,
    ContainsAny,
    HasTag,
    GetTag,
}

internal abstract class VExpr(int line, int column)
{
    private string? key;

    public int Line { get; } = line;

    public int Column { get; } = column;

    /// <summary>The expression's shape, ignoring source positions: two expressions with equal keys are the same expression.</summary>
    public string Key
    {
        get
        {
            if (key is null)
            {
                var builder = new StringBuilder();
                AppendKey(builder);
                key = builder.ToString();
            }

            return key;
        }
    }

    public abstract void AppendKey(StringBuilder builder);

    public abstract IEnumerable<VExpr> Children { get; }

    protected static void AppendString(StringBuilder builder, string value) =>
        builder.Append('"').Append(value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)).Append('"');
}

internal sealed class VBool(bool value, int line, int column) : VExpr(line, column)
{
    public bool Value { get; } = value;

    public override IEnumerable<VExpr> Children => [];

    public override void AppendKey(StringBuilder builder) => builder.Append(Value ? "true" : "false");
}

internal sealed class VLong(long value, int line, int column) : VExpr(line, column)
{
    public long Value { get; } = value;

    public override IEnumerable<VExpr> Children => [];

    public override void AppendKey(StringBuilder builder) => builder.Append(Value);
}

internal sealed class VString(string value, int line, int column) : VExpr(line, column)
{
    public string Value { get; } = value;

    public override IEnumerable<VExpr> Children => [];

    public override void AppendKey(StringBuilder builder) => AppendString(builder, Value);
}

internal sealed class VEntity(EntityUid uid, int line, int column) : VExpr(line, column)
{
    public EntityUid Uid { get; } = uid;

    public override IEnumerable<VExpr> Children => [];

    public override void AppendKey(StringBuilder builder)
    {
        builder.Append(Uid.Type).Append("::");
        AppendString(builder, Uid.Id);
    }
}

internal sealed class VVariable(VariableKind kind, int line, int column) : VExpr(line, column)
{
    public VariableKind Kind { get; } = kind;

    public override IEnumerable<VExpr> Children => [];

    public override void AppendKey(StringBuilder builder) => builder.Append(Kind switch
    {
        VariableKind.Principal => "principal",
        VariableKind.Action => "action",
        VariableKind.Resource => "resource",
        _ => "context",
    });
}

internal sealed class VSlot(bool isPrincipal, int line, int column) : VExpr(line, column)
{
    public bool IsPrincipal { get; } = isPrincipal;

    public override IEnumerable<VExpr> Children => [];

    public override void AppendKey(StringBuilder builder) => builder.Append(IsPrincipal ? "?principal" : "?resource");
}

internal sealed class VIf(VExpr test, VExpr then, VExpr otherwise, int line, int column) : VExpr(line, column)
{
    public VExpr Test { get; } = test;

    public VExpr Then { get; } = then;

    public VExpr Else { get; } = otherwise;

    public override IEnumerable<VExpr> Children => [Test, Then, Else];

    public override void AppendKey(StringBuilder builder)
    {
        builder.Append("(if ");
        Test.AppendKey(builder);
        builder.Append(" then ");
        Then.AppendKey(builder);
        builder.Append(" else ");
        Else.AppendKey(builder);
        builder.Append(')');
    }
}

internal sealed class VAnd(VExpr left, VExpr right, int line, int column) : VExpr(line, column)
{
    public VExpr Left { get; } = left;

    public VExpr Right { get; } = right;

    public override IEnumerable<VExpr> Children => [Left, Right];

    public override void AppendKey(StringBuilder builder)
    {
        builder.Append("(&& ");
        Left.AppendKey(builder);
        builder.Append(' ');
        Right.AppendKey(builder);
        builder.Append(')');
    }
}

internal sealed class VOr(VExpr left, VExpr right, int line, int column) : VExpr(line, column)
{
    public VExpr Left { get; } = left;

    public VExpr Right { get; } = right;

    public override IEnumerable<VExpr> Children => [Left, Right];

    public override void AppendKey(StringBuilder builder)
    {
        builder.Append("(|| ");
        Left.AppendKey(builder);
        builder.Append(' ');
        Right.AppendKey(builder);
        builder.Append(')');
    }
}

internal sealed class VUnary(UnaryOperator op, VExpr argument, int line, int column) : VExpr(line, column)
{
    public UnaryOperator Operator { get; } = op;

    public VExpr Argument { get; } = argument;

    public override IEnumerable<VExpr> Children => [Argument];

    public override void AppendKey(StringBuilder builder)
    {
        builder.Append('(').Append(Operator).Append(' ');
        Argument.AppendKey(builder);
        builder.Append(')');
    }
}

internal sealed class VBinary(BinaryOperator op, VExpr left, VExpr right, int line, int column) : VExpr(line, column)
{
    public BinaryOperator Operator { get; } = op;

    public VExpr Left { get; } = left;

    public VExpr Right { get; } = right;

    public override IEnumerable<VExpr> Children => [Left, Right];

    public override void AppendKey(StringBuilder builder)
    {
        builder.Append('(').Append(Operator).Append(' ');
        Left.AppendKey(builder);
        builder.Append(' ');
        Right.AppendKey(builder);
        builder.Append(')');
    }
}

internal sealed class VCall(string function, IReadOnlyList<VExpr> arguments, int line, int column) : VExpr(line, column)
{
    public string Function { get; } = function;

    public IReadOnlyList<VExpr> Arguments { get; } = arguments;

    public override IEnumerable<VExpr> Children => Arguments;

    public override void AppendKey(StringBuilder builder)
    {
        builder.Append("(call ").Append(Function);
        foreach (var argument in Arguments)
        {
            builder.Append(' ');
            argument.AppendKey(builder);
        }

        builder.Append(')');
    }
}

internal sealed class VGetAttribute(VExpr target, string attribute, int line, int column) : VExpr(line, column)
{
    public VExpr Target { get; } = target;

    public string Attribute { get; } = attribute;

    public override IEnumerable<VExpr> Children => [Target];

    public override void AppendKey(StringBuilder builder)
    {
        builder.Append("(. ");
        Target.AppendKey(builder);
        builder.Append(' ');
        AppendString(builder, Attribute);
        builder.Append(')');
    }
}

internal sealed class VHasAttribute(VExpr target, string attribute, int line, int column) : VExpr(line, column)
{
    public VExpr Target { get; } = target;

    public string Attribute { get; } = attribute;

    public override IEnumerable<VExpr> Children => [Target];

    public override void AppendKey(StringBuilder builder)
    {
        builder.Append("(has ");
        Target.AppendKey(builder);
        builder.Append(' ');
        AppendString(builder, Attribute);
        builder.Append(')');
    }
}

internal sealed class VLike(VExpr target, string patternKey, int line, int column) : VExpr(line, column)
{
    public VExpr Target { get; } = target;

    /// <summary>A canonical rendering of the pattern, only used for expression identity.</summary>
    public string PatternKey { get; } = patternKey;

    public override IEnumerable<VExpr> Children => [Target];

    public override void AppendKey(StringBuilder builder)
    {
        builder.Append("(like ");
        Target.AppendKey(builder);
        builder.Append(' ');
        AppendString(builder, PatternKey);
        builder.Append(')');
    }
}

internal sealed class VIs(VExpr target, string entityType, int line, int column) : VExpr(line, column)
{
    public VExpr Target { get; } = target;

    public string EntityType { get; } = entityType;

    public override IEnumerable<VExpr> Children => [Target];

    public override void AppendKey(StringBuilder builder)
    {
        builder.Append("(is ");
        Target.AppendKey(builder);
        builder.Append(' ').Append(EntityType).Append(')');
    }
}

internal sealed class VSet(IReadOnlyList<VExpr> elements, int line, int column) : VExpr(line, column)
{
    public IReadOnlyList<VExpr> Elements { get; } = elements;

    public override IEnumerable<VExpr> Children => Elements;

    public override void AppendKey(StringBuilder builder)
    {
        builder.Append("[");
        foreach (var element in Elements)
        {
            element.AppendKey(builder);
            builder.Append(',');
        }

        builder.Append(']');
    }
}

internal sealed class VRecord(IReadOnlyList<KeyValuePair<string, VExpr>> fields, int line, int column) : VExpr(line, column)
{
    public IReadOnlyList<KeyValuePair<string, VExpr>> Fields { get; } = fields;

    public override IEnumerable<VExpr> Children => Fields.Select(f => f.Value);

    public override void AppendKey(StringBuilder builder)
    {
        builder.Append('{');
        foreach (var (name, value) in Fields.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            AppendString(builder, name);
            builder.Append(':');
            value.AppendKey(builder);
            builder.Append(',');
        }

        builder.Append('}');
    }
}
