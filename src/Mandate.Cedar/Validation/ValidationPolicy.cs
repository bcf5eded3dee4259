namespace Mandate.Cedar.Validation;

internal enum ScopeKind
{
    Any,
    Equal,
    In,
    Is,
    IsIn,
}

/// <summary>A principal or resource scope constraint. <see cref="Entity"/> null with Equal/In/IsIn means a template slot.</summary>
internal sealed record ScopeConstraint(ScopeKind Kind, EntityUid? Entity, string? EntityType, int Line, int Column)
{
    public static ScopeConstraint Any { get; } = new(ScopeKind.Any, null, null, 0, 0);

    public bool IsSlot => Kind is ScopeKind.Equal or ScopeKind.In or ScopeKind.IsIn && Entity is null;
}

internal enum ActionScopeKind
{
    Any,
    Equal,
    In,
}

internal sealed record ActionScope(ActionScopeKind Kind, IReadOnlyList<EntityUid> Actions, int Line, int Column)
{
    public static ActionScope Any { get; } = new(ActionScopeKind.Any, [], 0, 0);
}

/// <summary>One policy (or template) as the validator sees it: scope constraints plus the conjunction of its conditions.</summary>
internal sealed class ValidationPolicy(
    string id,
    ScopeConstraint principal,
    ActionScope action,
    ScopeConstraint resource,
    VExpr body,
    string? source,
    int line,
    int column)
{
    public string Id { get; } = id;

    public ScopeConstraint Principal { get; } = principal;

    public ActionScope Action { get; } = action;

    public ScopeConstraint Resource { get; } = resource;

    /// <summary>The when/unless conditions joined with <c>&amp;&amp;</c> (unless negated); <c>true</c> when there are none.</summary>
    public VExpr Body { get; } = body;

    public string? Source { get; } = source;

    public int Line { get; } = line;

    public int Column { get; } = column;

    public bool HasPrincipalSlot => Principal.IsSlot;

    public bool HasResourceSlot => Resource.IsSlot;

    /// <summary>The whole policy as one boolean: <c>principal-scope &amp;&amp; (action-scope &amp;&amp; (resource-scope &amp;&amp; body))</c>.</summary>
    public VExpr Condition()
    {
        var principal = ScopeExpression(Principal, VariableKind.Principal);
        var resource = ScopeExpression(Resource, VariableKind.Resource);
        VExpr action = Action.Kind switch
        {
            ActionScopeKind.Equal => new VBinary(BinaryOperator.Equal, new VVariable(VariableKind.Action, Action.Line, Action.Column), new VEntity(Action.Actions[0], Action.Line, Action.Column), Action.Line, Action.Column),
            ActionScopeKind.In => new VBinary(
                BinaryOperator.In,
                new VVariable(VariableKind.Action, Action.Line, Action.Column),
                new VSet([.. Action.Actions.Select(a => (VExpr)new VEntity(a, Action.Line, Action.Column))], Action.Line, Action.Column),
                Action.Line,
                Action.Column),
            _ => new VBool(true, Line, Column),
        };
        return new VAnd(principal, new VAnd(action, new VAnd(resource, Body, Line, Column), Line, Column), Line, Column);
    }

    private VExpr ScopeExpression(ScopeConstraint scope, VariableKind variable)
    {
        int line = scope.Line == 0 ? Line : scope.Line;
        int column = scope.Line == 0 ? Column : scope.Column;
        var target = new VVariable(variable, line, column);
        VExpr Operand() => scope.Entity is { } uid ? new VEntity(uid, line, column) : new VSlot(variable == VariableKind.Principal, line, column);
        return scope.Kind switch
        {
            ScopeKind.Equal => new VBinary(BinaryOperator.Equal, target, Operand(), line, column),
            ScopeKind.In => new VBinary(BinaryOperator.In, target, Operand(), line, column),
            ScopeKind.Is => new VIs(target, scope.EntityType!, line, column),
            ScopeKind.IsIn => new VAnd(new VIs(target, scope.EntityType!, line, column), new VBinary(BinaryOperator.In, target, Operand(), line, column), line, column),
            _ => new VBool(true, line, column),
        };
    }
}
