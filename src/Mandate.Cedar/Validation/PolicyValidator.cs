using Mandate.Cedar.Schemas;

namespace Mandate.Cedar.Validation;

/// <summary>
/// Validates policies against a schema as Cedar does: first the checks that need no types (every entity type and
/// action named exists, enum entity ids are declared, some action can apply to the scope), then the typechecker in
/// every request environment the policy's scope can match.
/// </summary>
internal sealed class PolicyValidator(SchemaModel schema, ValidationMode mode)
{
    // Every (principal type, action, resource type, context) the schema allows; the same for every policy.
    private readonly List<RequestEnvironment> baseEnvironments =
    [
        .. schema.Actions.Values.SelectMany(action =>
        {
            var context = ValidatorType.FromSchema(action.Context);
            return action.PrincipalTypes.SelectMany(principal => action.ResourceTypes.Select(resource =>
                new RequestEnvironment(principal, action.Uid, resource, context, null, null)));
        }),
    ];

    public ValidationResult Validate(IEnumerable<ValidationPolicy> policies)
    {
        var errors = new List<ValidationIssue>();
        var warnings = new List<ValidationIssue>();
        foreach (var policy in policies)
        {
            ValidatePolicy(policy, errors, warnings);
        }

        return new ValidationResult(errors, warnings);
    }

    private void ValidatePolicy(ValidationPolicy policy, List<ValidationIssue> errors, List<ValidationIssue> warnings)
    {
        var condition = policy.Condition();
        CheckNames(policy, condition, errors);
        CheckActionApplication(policy, errors);

        var typeErrors = new List<ValidationIssue>();
        bool allFalse = true;
        foreach (var environment in Environments(policy))
        {
            var envErrors = new List<ValidationIssue>();
            var checker = new Typechecker(schema, mode, environment, policy.Id, policy.Source, envErrors);
            var answer = checker.CheckCondition(condition);
            if (answer.Type is not BoolType { Kind: BoolKind.False })
            {
                allFalse = false;
            }

            typeErrors.AddRange(envErrors);
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var error in typeErrors)
        {
            if (seen.Add($"{error.Code}|{error.Line}|{error.Column}|{error.Message}"))
            {
                errors.Add(error);
            }
        }

        if (allFalse)
        {
            warnings.Add(new ValidationIssue(ValidationCodes.ImpossiblePolicy, policy.Id,
                "policy is impossible: its condition is false for every request the schema allows", policy.Source, policy.Line, policy.Column));
        }
    }

    private static IEnumerable<VExpr> Walk(VExpr root)
    {
        var stack = new Stack<VExpr>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            var next = stack.Pop();
            yield return next;
            foreach (var child in next.Children)
            {
                stack.Push(child);
            }
        }
    }

    private bool IsKnownEntityType(string type) => SchemaNames.IsActionType(type) || schema.EntityTypes.ContainsKey(type);

    private void CheckNames(ValidationPolicy policy, VExpr condition, List<ValidationIssue> errors)
    {
        var reported = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in Walk(condition))
        {
            string? type = node switch
            {
                VEntity entity => entity.Uid.Type,
                VIs isExpr => isExpr.EntityType,
                _ => null,
            };
            if (type is not null && !IsKnownEntityType(type) && reported.Add("type|" + type))
            {
                errors.Add(new ValidationIssue(ValidationCodes.UnrecognizedEntityType, policy.Id, $"unrecognized entity type `{type}`", policy.Source, node.Line, node.Column));
            }

            if (node is not VEntity { Uid: var uid })
            {
                continue;
            }

            if (SchemaNames.IsActionType(uid.Type))
            {
                if (!schema.Actions.ContainsKey(uid) && reported.Add("action|" + uid))
                {
                    errors.Add(new ValidationIssue(ValidationCodes.UnrecognizedAction, policy.Id, $"unrecognized action `{uid}`", policy.Source, node.Line, node.Column));
                }
            }
            else if (schema.EntityTypes.TryGetValue(uid.Type, out var definition) && definition.EnumValues is { } values
                && !values.Contains(uid.Id, StringComparer.Ordinal) && reported.Add("enum|" + uid))
            {
                errors.Add(new ValidationIssue(ValidationCodes.InvalidEnumEntity, policy.Id,
                    $"`{uid}` is not a valid entity: `{uid.Type}` is an enumerated type whose ids are {string.Join(", ", values.Select(v => $"\"{v}\""))}", policy.Source, node.Line, node.Column));
            }
        }
    }

    private IEnumerable<ActionDefinition> ActionsForScope(ActionScope scope)
    {
        switch (scope.Kind)
        {
            case ActionScopeKind.Any:
                return schema.Actions.Values;
            case ActionScopeKind.Equal:
                return schema.Actions.TryGetValue(scope.Actions[0], out var single) ? [single] : [];
            default:
                {
                    if (scope.Actions.Any(a => !schema.Actions.ContainsKey(a)))
                    {
                        return [];
                    }

                    var actions = new HashSet<EntityUid>(scope.Actions);
                    foreach (var group in scope.Actions)
                    {
                        actions.UnionWith(schema.ActionDescendants(group));
                    }

                    return actions.Select(a => schema.Actions[a]);
                }
        }
    }

    private HashSet<string> TypesForScope(ScopeConstraint scope)
    {
        var all = new HashSet<string>(schema.EntityTypes.Keys, StringComparer.Ordinal);
        switch (scope.Kind)
        {
            case ScopeKind.Any:
                return all;
            case ScopeKind.Equal when scope.Entity is { } uid:
                return new HashSet<string>(StringComparer.Ordinal) { uid.Type };
            case ScopeKind.In when scope.Entity is { } uid:
                return TypesIn(uid.Type);
            case ScopeKind.Equal or ScopeKind.In:
                return all;
            case ScopeKind.Is:
            case ScopeKind.IsIn when scope.Entity is null:
                return IsKnownEntityType(scope.EntityType!) ? new HashSet<string>(StringComparer.Ordinal) { scope.EntityType! } : [];
            default:
                {
                    var types = TypesIn(scope.Entity!.Value.Type);
                    types.IntersectWith([scope.EntityType!]);
                    return types;
                }
        }
    }

    /// <summary>The entity types whose entities can be in an entity of <paramref name="type"/>, and the type itself.</summary>
    private HashSet<string> TypesIn(string type)
    {
        var result = new HashSet<string>(StringComparer.Ordinal) { type };
        if (schema.EntityTypes.TryGetValue(type, out var definition))
        {
            result.UnionWith(definition.DescendantTypes);
        }

        return result;
    }

    private void CheckActionApplication(ValidationPolicy policy, List<ValidationIssue> errors)
    {
        var principals = TypesForScope(policy.Principal);
        var resources = TypesForScope(policy.Resource);
        bool applicable = ActionsForScope(policy.Action).Any(action =>
            action.PrincipalTypes.Any(principals.Contains) && action.ResourceTypes.Any(resources.Contains));
        if (!applicable)
        {
            errors.Add(new ValidationIssue(ValidationCodes.InvalidActionApplication, policy.Id,
                "unable to find an applicable action given the policy scope constraints", policy.Source, policy.Line, policy.Column));
        }
    }

    private IEnumerable<RequestEnvironment> Environments(ValidationPolicy policy)
    {
        foreach (var environment in baseEnvironments)
        {
            if (!policy.HasPrincipalSlot && !policy.HasResourceSlot)
            {
                yield return environment;
                continue;
            }

            foreach (var principalSlot in SlotTypes(policy.HasPrincipalSlot, policy.Principal, environment.PrincipalType))
            {
                foreach (var resourceSlot in SlotTypes(policy.HasResourceSlot, policy.Resource, environment.ResourceType))
                {
                    yield return environment with { PrincipalSlot = principalSlot, ResourceSlot = resourceSlot };
                }
            }
        }
    }

    /// <summary>The entity types a template slot could be linked to, given the environment's principal or resource type.</summary>
    private IEnumerable<string?> SlotTypes(bool hasSlot, ScopeConstraint scope, string variableType)
    {
        if (!hasSlot)
        {
            return [null];
        }

        if (scope.Kind == ScopeKind.Equal)
        {
            return [variableType];
        }

        return schema.EntityTypes.Values
            .Where(t => t.DescendantTypes.Contains(variableType))
            .Select(t => (string?)t.Name)
            .Append(variableType);
    }
}
