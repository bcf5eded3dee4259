using System.Runtime.CompilerServices;
using Mandate.Cedar.Syntax;
using Mandate.Cedar.Syntax.Expressions;
using SyntaxBinary = Mandate.Cedar.Syntax.Expressions.BinaryOperator;
using SyntaxScopeKind = Mandate.Cedar.Syntax.ScopeKind;
using SyntaxUnary = Mandate.Cedar.Syntax.Expressions.UnaryOperator;

namespace Mandate.Cedar.Validation;

/// <summary>
/// Lowers the parser's policy AST into the validator's expression tree, with Cedar's desugarings:
/// <c>a != b</c> is <c>!(a == b)</c>, <c>a &gt; b</c> is <c>!(a &lt;= b)</c>, <c>a &gt;= b</c> is <c>!(a &lt; b)</c>,
/// <c>e is T in x</c> is <c>e is T &amp;&amp; e in x</c>, and <c>unless</c> conditions are negated.
/// </summary>
internal static class PolicyLowering
{
    public static ValidationPolicy Lower(string id, PolicyAst ast, string? source)
    {
        VExpr? body = null;
        foreach (var condition in ast.Conditions)
        {
            var lowered = Lower(condition.Body);
            if (!condition.IsWhen)
            {
                lowered = new VUnary(UnaryOperator.Not, lowered, lowered.Line, lowered.Column);
            }

            body = body is null ? lowered : new VAnd(body, lowered, lowered.Line, lowered.Column);
        }

        body ??= new VBool(true, ast.Line, ast.Column);
        var action = ast.Action.Kind switch
        {
            SyntaxScopeKind.Equal => new ActionScope(ActionScopeKind.Equal, ast.Action.Entities, ast.Line, ast.Column),
            SyntaxScopeKind.In => new ActionScope(ActionScopeKind.In, ast.Action.Entities, ast.Line, ast.Column),
            _ => ActionScope.Any,
        };
        return new ValidationPolicy(id, Lower(ast.Principal, ast), action, Lower(ast.Resource, ast), body, source, ast.Line, ast.Column);
    }

    private static ScopeConstraint Lower(Syntax.ScopeConstraint scope, PolicyAst ast)
    {
        var kind = scope.Kind switch
        {
            SyntaxScopeKind.Equal => ScopeKind.Equal,
            SyntaxScopeKind.In => ScopeKind.In,
            SyntaxScopeKind.Is => ScopeKind.Is,
            SyntaxScopeKind.IsIn => ScopeKind.IsIn,
            _ => ScopeKind.Any,
        };
        return new ScopeConstraint(kind, scope.IsSlot ? null : scope.Entity, scope.EntityType, ast.Line, ast.Column);
    }

    public static VExpr Lower(Expr e)
    {
        // The parser bounds expression depth; this guard only turns a future change there into an exception, not a crash.
        RuntimeHelpers.EnsureSufficientExecutionStack();
        int line = e.Line, column = e.Column;
        switch (e)
        {
            case LiteralExpr literal:
                return literal.Value.Kind switch
                {
                    CedarValueKind.Bool => new VBool(literal.Value.AsBool(), line, column),
                    CedarValueKind.Long => new VLong(literal.Value.AsLong(), line, column),
                    CedarValueKind.String => new VString(literal.Value.AsString(), line, column),
                    CedarValueKind.Entity => new VEntity(literal.Value.AsEntity(), line, column),
                    _ => throw new InvalidOperationException($"unexpected literal {literal.Value}"),
                };
            case VariableExpr variable:
                return new VVariable(variable.Variable switch
                {
                    Variable.Principal => VariableKind.Principal,
                    Variable.Action => VariableKind.Action,
                    Variable.Resource => VariableKind.Resource,
                    _ => VariableKind.Context,
                }, line, column);
            case IfExpr conditional:
                return new VIf(Lower(conditional.Condition), Lower(conditional.Then), Lower(conditional.Else), line, column);
            case LogicalExpr logical:
                return logical.IsAnd
                    ? new VAnd(Lower(logical.Left), Lower(logical.Right), line, column)
                    : new VOr(Lower(logical.Left), Lower(logical.Right), line, column);
            case UnaryExpr unary:
                return new VUnary(unary.Operator switch
                {
                    SyntaxUnary.Not => UnaryOperator.Not,
                    SyntaxUnary.Negate => UnaryOperator.Negate,
                    _ => UnaryOperator.IsEmpty,
                }, Lower(unary.Operand), line, column);
            case BinaryExpr binary:
                return LowerBinary(binary, line, column);
            case ExtensionCallExpr call:
                return new VCall(call.Function.Name, [.. call.Arguments.Select(Lower)], line, column);
            case AttributeExpr attribute:
                return attribute.IsHas
                    ? new VHasAttribute(Lower(attribute.Target), attribute.Attribute, line, column)
                    : new VGetAttribute(Lower(attribute.Target), attribute.Attribute, line, column);
            case LikeExpr like:
                return new VLike(Lower(like.Target), like.Dump(), line, column);
            case IsExpr isExpr:
                {
                    var target = Lower(isExpr.Target);
                    VExpr test = new VIs(target, isExpr.EntityType, line, column);
                    return isExpr.InExpr is null
                        ? test
                        : new VAnd(test, new VBinary(BinaryOperator.In, target, Lower(isExpr.InExpr), line, column), line, column);
                }

            case SetExpr set:
                return new VSet([.. set.Items.Select(Lower)], line, column);
            case RecordExpr record:
                return new VRecord([.. record.Attributes.Select(a => new KeyValuePair<string, VExpr>(a.Key, Lower(a.Value)))], line, column);
            default:
                throw new InvalidOperationException($"unexpected expression {e.GetType().Name}");
        }
    }

    private static VExpr LowerBinary(BinaryExpr binary, int line, int column)
    {
        var left = Lower(binary.Left);
        var right = Lower(binary.Right);
        VExpr Make(BinaryOperator op) => new VBinary(op, left, right, line, column);
        VExpr Not(VExpr inner) => new VUnary(UnaryOperator.Not, inner, line, column);
        return binary.Operator switch
        {
            SyntaxBinary.Equal => Make(BinaryOperator.Equal),
            SyntaxBinary.NotEqual => Not(Make(BinaryOperator.Equal)),
            SyntaxBinary.Less => Make(BinaryOperator.Less),
            SyntaxBinary.LessEqual => Make(BinaryOperator.LessEqual),
            SyntaxBinary.Greater => Not(Make(BinaryOperator.LessEqual)),
            SyntaxBinary.GreaterEqual => Not(Make(BinaryOperator.Less)),
            SyntaxBinary.In => Make(BinaryOperator.In),
            SyntaxBinary.Add => Make(BinaryOperator.Add),
            SyntaxBinary.Subtract => Make(BinaryOperator.Subtract),
            SyntaxBinary.Multiply => Make(BinaryOperator.Multiply),
            SyntaxBinary.Contains => Make(BinaryOperator.Contains),
            SyntaxBinary.ContainsAll => Make(BinaryOperator.ContainsAll),
            SyntaxBinary.ContainsAny => Make(BinaryOperator.ContainsAny),
            SyntaxBinary.GetTag => Make(BinaryOperator.GetTag),
            _ => Make(BinaryOperator.HasTag),
        };
    }
}
