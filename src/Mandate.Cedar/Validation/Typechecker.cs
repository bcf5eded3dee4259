using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Mandate.Cedar.Schemas;

namespace Mandate.Cedar.Validation;

/// <summary>
/// Cedar's policy typechecker for one request environment (principal type, action, resource type, context type).
/// It follows the reference algorithm closely because validity depends on its details: booleans known to be true or
/// false short-circuit <c>&amp;&amp;</c>, <c>||</c> and <c>if</c> (the dead side is not checked), and <c>has</c> tests
/// produce capabilities that make later optional-attribute and tag accesses safe.
/// </summary>
internal sealed class Typechecker
{
    // Far above the parser's own bound on expression depth; the stack check below is what protects the process.
    private const int MaxDepth = 5000;

    private readonly SchemaModel schema;
    private readonly ValidationMode mode;
    private readonly RequestEnvironment environment;
    private readonly string policyId;
    private readonly string? source;
    private readonly List<ValidationIssue> errors;
    private int depth;

    public Typechecker(SchemaModel schema, ValidationMode mode, RequestEnvironment environment, string policyId, string? source, List<ValidationIssue> errors)
    {
        this.schema = schema;
        this.mode = mode;
        this.environment = environment;
        this.policyId = policyId;
        this.source = source;
        this.errors = errors;
    }

    private bool Strict => mode == ValidationMode.Strict;

    /// <summary>The type of an expression (null when unknown because of an error), whether it checked, and what it proves.</summary>
    internal readonly record struct Answer(ValidatorType? Type, bool Ok, ImmutableHashSet<string> Capabilities)
    {
        public static Answer Success(ValidatorType? type) => new(type, true, Empty);

        public static Answer Success(ValidatorType? type, ImmutableHashSet<string> capabilities) => new(type, true, capabilities);

        public static Answer Fail(ValidatorType? type) => new(type, false, Empty);

        public ImmutableHashSet<string> CapabilitiesIfOk => Ok ? Capabilities : Empty;

        /// <summary>Cedar's "then": a failed answer still continues with its recovery type, but stays failed.</summary>
        public Answer Then(Func<ValidatorType?, ImmutableHashSet<string>, Answer> next)
        {
            var result = next(Type, CapabilitiesIfOk);
            return Ok ? result : result with { Ok = false, Capabilities = Empty };
        }
    }

    private static readonly ImmutableHashSet<string> Empty = ImmutableHashSet.Create<string>(StringComparer.Ordinal);

    private static string AttributeCapability(VExpr target, string attribute) => "a\u0001" + target.Key + "\u0001" + attribute;

    private static string TagCapability(VExpr target, VExpr tag) => "t\u0001" + target.Key + "\u0001" + tag.Key;

    private void Error(string code, VExpr at, string message) =>
        errors.Add(new ValidationIssue(code, policyId, message, source, at.Line, at.Column));

    public Answer CheckCondition(VExpr condition) => Expect(Empty, condition, ValidatorType.AnyBool);

    private Answer Expect(ImmutableHashSet<string> prior, VExpr e, ValidatorType expected) => ExpectOneOf(prior, e, [expected]);

    private Answer ExpectOneOf(ImmutableHashSet<string> prior, VExpr e, ValidatorType[] expected)
    {
        var actual = Check(prior, e);
        return actual.Then((type, capabilities) =>
        {
            if (type is null)
            {
                return Answer.Fail(null);
            }

            if (!expected.Any(x => TypeRelations.IsSubtype(type, x, ValidationMode.Permissive)))
            {
                Error(ValidationCodes.UnexpectedType, e, $"unexpected type: expected {string.Join(" or ", expected.Select(Describe))} but saw {Describe(type)}");
                return Answer.Fail(null);
            }

            return Answer.Success(type, capabilities);
        });
    }

    private static string Describe(ValidatorType type) => type switch
    {
        EntityType { IsAny: true } => "an entity",
        SetType { Element: null } => "a set",
        RecordType { Open: true, Attributes.Count: 0 } => "a record",
        _ => type.ToString()!,
    };

    private Answer Check(ImmutableHashSet<string> prior, VExpr e)
    {
        if (++depth > MaxDepth || !RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            depth--;
            Error(ValidationCodes.TooDeep, e, "expression is nested too deeply to validate");
            return Answer.Fail(null);
        }

        try
        {
            return CheckCore(prior, e);
        }
        finally
        {
            depth--;
        }
    }

    private Answer CheckCore(ImmutableHashSet<string> prior, VExpr e)
    {
        switch (e)
        {
            case VBool b:
                return Answer.Success(ValidatorType.Singleton(b.Value));
            case VLong:
                return Answer.Success(ValidatorType.Long);
            case VString:
                return Answer.Success(ValidatorType.String);
            case VEntity entity:
                return EntityLiteralType(entity.Uid) is { } literalType ? Answer.Success(literalType) : Answer.Fail(null);
            case VVariable v:
                return v.Kind switch
                {
                    VariableKind.Principal => Answer.Success(ValidatorType.Entity(environment.PrincipalType)),
                    VariableKind.Resource => Answer.Success(ValidatorType.Entity(environment.ResourceType)),
                    VariableKind.Action => EntityLiteralType(environment.Action) is { } actionType ? Answer.Success(actionType) : Answer.Fail(null),
                    _ => Answer.Success(environment.Context),
                };
            case VSlot slot:
                {
                    string? slotType = slot.IsPrincipal ? environment.PrincipalSlot : environment.ResourceSlot;
                    return Answer.Success(slotType is null ? ValidatorType.AnyEntity : ValidatorType.Entity(slotType));
                }

            case VIf conditional:
                return CheckIf(prior, conditional);
            case VAnd and:
                return CheckAnd(prior, and);
            case VOr or:
                return CheckOr(prior, or);
            case VUnary unary:
                return CheckUnary(prior, unary);
            case VBinary binary:
                return CheckBinary(prior, binary);
            case VCall call:
                return CheckCall(prior, call);
            case VGetAttribute get:
                return CheckGetAttribute(prior, get);
            case VHasAttribute has:
                return CheckHasAttribute(prior, has);
            case VLike like:
                return Expect(prior, like.Target, ValidatorType.String).Then((_, _) => Answer.Success(ValidatorType.AnyBool));
            case VIs isExpr:
                return Expect(prior, isExpr.Target, ValidatorType.AnyEntity).Then((type, _) => type switch
                {
                    EntityType { Types: { } types } when !types.Contains(isExpr.EntityType) => Answer.Success(ValidatorType.False),
                    EntityType { Single: { } single } when string.Equals(single, isExpr.EntityType, StringComparison.Ordinal) => Answer.Success(ValidatorType.True),
                    EntityType => Answer.Success(ValidatorType.AnyBool),
                    _ => Answer.Fail(ValidatorType.AnyBool),
                });
            case VSet set:
                return CheckSet(prior, set);
            case VRecord record:
                return CheckRecord(prior, record);
            default:
                return Answer.Fail(null);
        }
    }

    /// <summary>The type of an entity literal: its declared entity type, or the action type of a declared action.</summary>
    private ValidatorType? EntityLiteralType(EntityUid uid)
    {
        if (SchemaNames.IsActionType(uid.Type))
        {
            return schema.Actions.ContainsKey(uid) ? ValidatorType.Entity(uid.Type) : null;
        }

        return schema.EntityTypes.ContainsKey(uid.Type) ? ValidatorType.Entity(uid.Type) : null;
    }

    private Answer CheckIf(ImmutableHashSet<string> prior, VIf e)
    {
        var test = Expect(prior, e.Test, ValidatorType.AnyBool);
        return test.Then((testType, testCapabilities) =>
        {
            if (testType is BoolType { Kind: BoolKind.True })
            {
                var then = Check(prior.Union(testCapabilities), e.Then);
                return then.Then((thenType, thenCapabilities) => Answer.Success(thenType, thenCapabilities.Union(testCapabilities)));
            }

            if (testType is BoolType { Kind: BoolKind.False })
            {
                var otherwise = Check(prior, e.Else);
                return otherwise.Then((elseType, elseCapabilities) => Answer.Success(elseType, elseCapabilities));
            }

            var thenAnswer = Check(prior.Union(testCapabilities), e.Then);
            var thenCaps = thenAnswer.CapabilitiesIfOk.Union(thenAnswer.Ok ? testCapabilities : Empty);
            var elseAnswer = Check(prior, e.Else);
            var combined = !thenAnswer.Ok || !elseAnswer.Ok;
            var lub = LeastUpperBoundOrError(e, [thenAnswer.Type, elseAnswer.Type]);
            Answer result = lub is null
                ? Answer.Fail(null)
                : Answer.Success(lub, elseAnswer.CapabilitiesIfOk.Intersect(thenCaps));
            return combined ? result with { Ok = false, Capabilities = Empty } : result;
        });
    }

    private Answer CheckAnd(ImmutableHashSet<string> prior, VAnd e)
    {
        var left = Expect(prior, e.Left, ValidatorType.AnyBool);
        return left.Then((leftType, leftCapabilities) =>
        {
            if (leftType is BoolType { Kind: BoolKind.False })
            {
                return Answer.Success(ValidatorType.False);
            }

            var right = Expect(prior.Union(leftCapabilities), e.Right, ValidatorType.AnyBool);
            return right.Then((rightType, rightCapabilities) => (leftType, rightType) switch
            {
                (not null, BoolType { Kind: BoolKind.False }) => Answer.Success(ValidatorType.False),
                (not null, BoolType { Kind: BoolKind.True }) => Answer.Success(leftType, leftCapabilities.Union(rightCapabilities)),
                (BoolType { Kind: BoolKind.True }, not null) => Answer.Success(rightType, rightCapabilities),
                (not null, not null) => Answer.Success(ValidatorType.AnyBool, leftCapabilities.Union(rightCapabilities)),
                _ => Answer.Fail(ValidatorType.AnyBool),
            });
        });
    }

    private Answer CheckOr(ImmutableHashSet<string> prior, VOr e)
    {
        var left = Expect(prior, e.Left, ValidatorType.AnyBool);
        return left.Then((leftType, leftCapabilities) =>
        {
            if (leftType is BoolType { Kind: BoolKind.True })
            {
                return Answer.Success(leftType, leftCapabilities);
            }

            var right = Expect(prior, e.Right, ValidatorType.AnyBool);
            return right.Then((rightType, rightCapabilities) => (leftType, rightType) switch
            {
                (not null, BoolType { Kind: BoolKind.True }) => Answer.Success(ValidatorType.True, rightCapabilities),
                (not null, BoolType { Kind: BoolKind.False }) => Answer.Success(leftType, leftCapabilities),
                (BoolType { Kind: BoolKind.False }, not null) => Answer.Success(rightType, rightCapabilities),
                (not null, not null) => Answer.Success(ValidatorType.AnyBool, rightCapabilities.Intersect(leftCapabilities)),
                _ => Answer.Fail(ValidatorType.AnyBool),
            });
        });
    }

    private Answer CheckUnary(ImmutableHashSet<string> prior, VUnary e)
    {
        switch (e.Operator)
        {
            case UnaryOperator.Not:
                return Expect(prior, e.Argument, ValidatorType.AnyBool).Then((type, _) => type switch
                {
                    BoolType { Kind: BoolKind.True } => Answer.Success(ValidatorType.False),
                    BoolType { Kind: BoolKind.False } => Answer.Success(ValidatorType.True),
                    not null => Answer.Success(ValidatorType.AnyBool),
                    _ => Answer.Fail(ValidatorType.AnyBool),
                });
            case UnaryOperator.Negate:
                return Expect(prior, e.Argument, ValidatorType.Long).Then((_, _) => Answer.Success(ValidatorType.Long));
            default:
                return Expect(prior, e.Argument, ValidatorType.AnySet).Then((_, _) => Answer.Success(ValidatorType.AnyBool));
        }
    }

    private Answer CheckBinary(ImmutableHashSet<string> prior, VBinary e)
    {
        switch (e.Operator)
        {
            case BinaryOperator.Equal:
                {
                    var left = Check(prior, e.Left);
                    var right = Check(prior, e.Right);
                    return left.Then((leftType, _) => right.Then((rightType, _) =>
                    {
                        var type = TypeOfEquality(e.Left, leftType, e.Right, rightType);
                        return Strict ? EnforceStrictEquality(e, type, leftType, rightType, "==") : Answer.Success(type);
                    }));
                }

            case BinaryOperator.Less:
            case BinaryOperator.LessEqual:
                return Check(prior, e.Left).Then((leftType, _) => Check(prior, e.Right).Then((rightType, _) => CheckComparison(e, leftType, rightType)));
            case BinaryOperator.Add:
            case BinaryOperator.Subtract:
            case BinaryOperator.Multiply:
                return Expect(prior, e.Left, ValidatorType.Long).Then((_, _) =>
                    Expect(prior, e.Right, ValidatorType.Long).Then((_, _) => Answer.Success(ValidatorType.Long)));
            case BinaryOperator.In:
                return CheckIn(prior, e);
            case BinaryOperator.Contains:
                return Expect(prior, e.Left, ValidatorType.AnySet).Then((setType, _) =>
                    Check(prior, e.Right).Then((elementType, _) => Strict
                        ? EnforceStrictEquality(e, ValidatorType.AnyBool, setType is SetType { Element: { } element } ? element : null, elementType, "contains")
                        : Answer.Success(ValidatorType.AnyBool)));
            case BinaryOperator.ContainsAll:
            case BinaryOperator.ContainsAny:
                return Expect(prior, e.Left, ValidatorType.AnySet).Then((leftType, _) =>
                    Expect(prior, e.Right, ValidatorType.AnySet).Then((rightType, _) => Strict
                        ? EnforceStrictEquality(e, ValidatorType.AnyBool, leftType, rightType, e.Operator == BinaryOperator.ContainsAll ? "containsAll" : "containsAny")
                        : Answer.Success(ValidatorType.AnyBool)));
            case BinaryOperator.HasTag:
                return Expect(prior, e.Left, ValidatorType.AnyEntity).Then((entityType, _) =>
                    Expect(prior, e.Right, ValidatorType.String).Then((_, _) =>
                    {
                        if (entityType is not EntityType entity)
                        {
                            return Answer.Fail(null);
                        }

                        var capability = TagCapability(e.Left, e.Right);
                        ValidatorType type = TagTypes(entity).Count == 0 ? ValidatorType.False
                            : prior.Contains(capability) ? ValidatorType.True
                            : ValidatorType.AnyBool;
                        return Answer.Success(type, Empty.Add(capability));
                    }));
            default:
                return Expect(prior, e.Left, ValidatorType.AnyEntity).Then((entityType, _) =>
                    Expect(prior, e.Right, ValidatorType.String).Then((_, _) =>
                    {
                        if (entityType is not EntityType entity)
                        {
                            return Answer.Fail(null);
                        }

                        if (!prior.Contains(TagCapability(e.Left, e.Right)))
                        {
                            Error(ValidationCodes.UnsafeTagAccess, e, $"unsafe tag access: `getTag` on {Describe(entity)} needs a `hasTag` check for the same tag first");
                            return Answer.Fail(null);
                        }

                        var tags = TagTypes(entity);
                        if (tags.Count == 0)
                        {
                            Error(ValidationCodes.NoTagsAllowed, e, $"{Describe(entity)} cannot have tags: the schema declares no tag type");
                            return Answer.Fail(null);
                        }

                        var tagType = TypeRelations.LeastUpperBound(tags, mode, out var reason);
                        if (tagType is null)
                        {
                            Error(ValidationCodes.IncompatibleTypes, e, $"the tag types of {Describe(entity)} are incompatible" + (reason is null ? "" : $": {reason}"));
                            return Answer.Fail(null);
                        }

                        return Answer.Success(tagType);
                    }));
        }
    }

    private Answer CheckComparison(VBinary e, ValidatorType? left, ValidatorType? right)
    {
        string op = e.Operator == BinaryOperator.Less ? "<" : "<=";
        if (left is null || right is null)
        {
            return Answer.Fail(ValidatorType.AnyBool);
        }

        bool leftNever = ReferenceEquals(left, ValidatorType.Never), rightNever = ReferenceEquals(right, ValidatorType.Never);
        if (leftNever && rightNever)
        {
            return Answer.Fail(ValidatorType.AnyBool);
        }

        if (leftNever || rightNever)
        {
            var other = leftNever ? right : left;
            if (ExtensionFunctions.IsComparable(other))
            {
                return Answer.Success(ValidatorType.AnyBool);
            }

            Error(ValidationCodes.UnexpectedType, leftNever ? e.Right : e.Left, $"unexpected type: `{op}` expects {ExtensionFunctions.ComparableTypesText} but saw {Describe(other)}");
            return Answer.Fail(ValidatorType.AnyBool);
        }

        if (left.Equals(right) && ExtensionFunctions.IsComparable(left))
        {
            return Answer.Success(ValidatorType.AnyBool);
        }

        if (ExtensionFunctions.IsComparable(left))
        {
            Error(ValidationCodes.UnexpectedType, e.Right, $"unexpected type: `{op}` expects {Describe(left)} on the right but saw {Describe(right)}");
        }
        else if (ExtensionFunctions.IsComparable(right))
        {
            Error(ValidationCodes.UnexpectedType, e.Left, $"unexpected type: `{op}` expects {Describe(right)} on the left but saw {Describe(left)}");
        }
        else
        {
            Error(ValidationCodes.UnexpectedType, e.Left, $"unexpected type: `{op}` expects {ExtensionFunctions.ComparableTypesText} but saw {Describe(left)}");
            Error(ValidationCodes.UnexpectedType, e.Right, $"unexpected type: `{op}` expects {ExtensionFunctions.ComparableTypesText} but saw {Describe(right)}");
        }

        return Answer.Fail(ValidatorType.AnyBool);
    }

    private Answer EnforceStrictEquality(VExpr e, ValidatorType type, ValidatorType? left, ValidatorType? right, string what)
    {
        if (type is BoolType { Kind: BoolKind.True or BoolKind.False })
        {
            return Answer.Success(type);
        }

        if (left is not null && right is not null && TypeRelations.LeastUpperBound(left, right, mode, out var reason) is null)
        {
            Error(ValidationCodes.IncompatibleTypes, e, $"the operands of `{what}` have incompatible types {Describe(left)} and {Describe(right)}" + (reason is null ? "" : $": {reason}"));
            return Answer.Fail(type);
        }

        return Answer.Success(type);
    }

    private VExpr ReplaceActionVariable(VExpr e) =>
        e is VVariable { Kind: VariableKind.Action } ? new VEntity(environment.Action, e.Line, e.Column) : e;

    private ValidatorType TypeOfEquality(VExpr leftExpr, ValidatorType? left, VExpr rightExpr, ValidatorType? right)
    {
        if (left is not null && right is not null && TypeRelations.AreDisjoint(left, right))
        {
            return ValidatorType.False;
        }

        var l = ReplaceActionVariable(leftExpr);
        var r = ReplaceActionVariable(rightExpr);
        if (IsLiteral(l) && IsLiteral(r))
        {
            return ValidatorType.Singleton(string.Equals(l.Key, r.Key, StringComparison.Ordinal));
        }

        return ValidatorType.AnyBool;
    }

    private static bool IsLiteral(VExpr e) => e is VBool or VLong or VString or VEntity;

    private Answer CheckIn(ImmutableHashSet<string> prior, VBinary e)
    {
        var left = Expect(prior, e.Left, ValidatorType.AnyEntity);
        var right = ExpectOneOf(prior, e.Right, [new SetType(ValidatorType.AnyEntity), ValidatorType.AnyEntity]);
        bool bothOk = left.Ok && right.Ok;
        return left.Then((leftType, _) => right.Then((rightType, _) =>
        {
            if (!bothOk)
            {
                return Answer.Fail(ValidatorType.AnyBool);
            }

            var leftUid = EntityUidOf(e.Left);
            var rightUids = EntityUidsOf(e.Right);
            if (leftUid is { } lhs && SchemaNames.IsActionType(lhs.Type) && rightUids is not null)
            {
                var rightActions = rightUids.Where(u => SchemaNames.IsActionType(u.Type)).ToList();
                if (rightActions.Count == 0)
                {
                    return Answer.Success(ValidatorType.False);
                }

                var descendants = ActionsIn(rightActions);
                if (descendants is null)
                {
                    return Answer.Fail(ValidatorType.AnyBool);
                }

                return Answer.Success(ValidatorType.Singleton(descendants.Contains(lhs)));
            }

            var leftTypes = leftType is EntityType { Types: { } lt } ? lt : null;
            var rightTypes = rightType switch
            {
                EntityType { Types: { } rt } => rt,
                SetType { Element: EntityType { Types: { } st } } => st,
                _ => null,
            };
            if (leftTypes is not null && rightTypes is not null && !AnyDescendant(leftTypes, rightTypes))
            {
                return Answer.Success(ValidatorType.False);
            }

            return Answer.Success(ValidatorType.AnyBool);
        }));
    }

    private EntityUid? EntityUidOf(VExpr e) => ReplaceActionVariable(e) is VEntity entity ? entity.Uid : null;

    private List<EntityUid>? EntityUidsOf(VExpr e)
    {
        if (EntityUidOf(e) is { } single)
        {
            return [single];
        }

        if (e is VSet set)
        {
            var list = new List<EntityUid>();
            foreach (var element in set.Elements)
            {
                if (EntityUidOf(element) is not { } uid)
                {
                    return null;
                }

                list.Add(uid);
            }

            return list;
        }

        return null;
    }

    /// <summary>Every declared action in (or equal to) one of <paramref name="actions"/>; null if one is undeclared.</summary>
    private HashSet<EntityUid>? ActionsIn(IEnumerable<EntityUid> actions)
    {
        var result = new HashSet<EntityUid>();
        foreach (var action in actions)
        {
            if (!schema.Actions.ContainsKey(action))
            {
                return null;
            }

            result.Add(action);
            result.UnionWith(schema.ActionDescendants(action));
        }

        return result;
    }

    private bool AnyDescendant(SortedSet<string> leftTypes, SortedSet<string> rightTypes)
    {
        foreach (var l in leftTypes)
        {
            foreach (var r in rightTypes)
            {
                if (schema.CanBeDescendant(l, r) || ActionTypeCanBeIn(l, r))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private bool ActionTypeCanBeIn(string leftType, string rightType) =>
        string.Equals(leftType, rightType, StringComparison.Ordinal)
        || schema.Actions.Values.Any(a => string.Equals(a.Uid.Type, leftType, StringComparison.Ordinal)
            && a.Ancestors.Any(p => string.Equals(p.Type, rightType, StringComparison.Ordinal)));

    private List<ValidatorType> TagTypes(EntityType entity)
    {
        IEnumerable<EntityTypeDefinition> definitions = entity.Types is null
            ? schema.EntityTypes.Values
            : entity.Types.Select(t => schema.EntityTypes.GetValueOrDefault(t)).OfType<EntityTypeDefinition>();
        var result = new List<ValidatorType>();
        foreach (var definition in definitions)
        {
            if (definition.Tags is { } tags)
            {
                var type = ValidatorType.FromSchema(tags);
                if (!result.Contains(type))
                {
                    result.Add(type);
                }
            }
        }

        return result;
    }

    private Answer CheckCall(ImmutableHashSet<string> prior, VCall e)
    {
        var function = ExtensionFunctions.Find(e.Function);
        if (function is null)
        {
            Error(ValidationCodes.UndefinedFunction, e, $"undefined extension function `{e.Function}`");
            foreach (var argument in e.Arguments)
            {
                Check(prior, argument);
            }

            return Answer.Fail(null);
        }

        bool failed = false;
        if (e.Arguments.Count != function.Parameters.Count)
        {
            Error(ValidationCodes.WrongArgumentCount, e, $"`{e.Function}` takes {function.Parameters.Count} argument(s) but was given {e.Arguments.Count}");
            failed = true;
        }

        if (function.CheckLiteral is { } checkLiteral && e.Arguments.Count == 1 && e.Arguments[0] is VString literal
            && checkLiteral(literal.Value) is { } problem)
        {
            Error(ValidationCodes.InvalidExtensionArgument, e, $"invalid argument to `{e.Function}`: {problem}");
            failed = true;
        }

        if (Strict && function.IsConstructor && !e.Arguments.All(IsLiteral))
        {
            Error(ValidationCodes.NonLiteralExtensionConstructor, e, $"in strict mode the argument of `{e.Function}` must be a literal");
            failed = true;
        }

        if (failed)
        {
            foreach (var argument in e.Arguments)
            {
                Check(prior, argument);
            }

            return Answer.Fail(function.Returns);
        }

        bool allOk = true;
        for (int i = 0; i < e.Arguments.Count; i++)
        {
            allOk &= Expect(prior, e.Arguments[i], function.Parameters[i]).Ok;
        }

        return allOk ? Answer.Success(function.Returns) : Answer.Fail(function.Returns);
    }

    private Answer CheckGetAttribute(ImmutableHashSet<string> prior, VGetAttribute e)
    {
        var target = ExpectOneOf(prior, e.Target, [ValidatorType.AnyEntity, ValidatorType.AnyRecord]);
        return target.Then((type, _) =>
        {
            if (type is null)
            {
                return Answer.Fail(null);
            }

            var attribute = LookupAttribute(type, e.Attribute);
            if (attribute is not null)
            {
                if (attribute.Required || prior.Contains(AttributeCapability(e.Target, e.Attribute)))
                {
                    return Answer.Success(attribute.Type);
                }

                Error(ValidationCodes.UnsafeOptionalAttributeAccess, e, $"unsafe access to optional attribute `{e.Attribute}` of {Describe(type)}: guard it with `has` first");
                return Answer.Fail(attribute.Type);
            }

            Error(ValidationCodes.UnknownAttribute, e, $"{Describe(type)} has no attribute `{e.Attribute}`" + (MayHaveAttribute(type, e.Attribute) ? " on every entity type it may be" : ""));
            return Answer.Fail(null);
        });
    }

    private Answer CheckHasAttribute(ImmutableHashSet<string> prior, VHasAttribute e)
    {
        var target = ExpectOneOf(prior, e.Target, [ValidatorType.AnyEntity, ValidatorType.AnyRecord]);
        return target.Then((type, _) =>
        {
            if (type is null)
            {
                return Answer.Fail(ValidatorType.AnyBool);
            }

            var capability = AttributeCapability(e.Target, e.Attribute);
            var attribute = LookupAttribute(type, e.Attribute);
            if (attribute is not null)
            {
                bool known = prior.Contains(capability) || (attribute.Required && type is RecordType);
                return Answer.Success(known ? ValidatorType.True : ValidatorType.AnyBool, Empty.Add(capability));
            }

            return Answer.Success(MayHaveAttribute(type, e.Attribute) ? ValidatorType.AnyBool : ValidatorType.False);
        });
    }

    private AttributeType? LookupAttribute(ValidatorType type, string attribute)
    {
        switch (type)
        {
            case RecordType record:
                return record.Attributes.GetValueOrDefault(attribute);
            case EntityType { Types: { } types }:
                {
                    AttributeType? result = null;
                    bool first = true;
                    foreach (var name in types)
                    {
                        var own = schema.EntityTypes.TryGetValue(name, out var definition)
                            && definition.Attributes.Attributes.TryGetValue(attribute, out var declared)
                            ? new AttributeType(ValidatorType.FromSchema(declared.Type), declared.Required)
                            : null;
                        if (first)
                        {
                            result = own;
                            first = false;
                            continue;
                        }

                        if (result is null || own is null)
                        {
                            return null;
                        }

                        var lub = TypeRelations.LeastUpperBound(result.Type, own.Type, ValidationMode.Permissive, out _);
                        if (lub is null)
                        {
                            return null;
                        }

                        result = new AttributeType(lub, result.Required && own.Required);
                    }

                    return result;
                }

            default:
                return null;
        }
    }

    private bool MayHaveAttribute(ValidatorType type, string attribute) => type switch
    {
        _ when ReferenceEquals(type, ValidatorType.Never) => true,
        EntityType { Types: null } => true,
        EntityType { Types: { } types } => types.Any(t =>
            (!SchemaNames.IsActionType(t) && !schema.EntityTypes.ContainsKey(t))
            || (schema.EntityTypes.TryGetValue(t, out var definition) && definition.Attributes.Attributes.ContainsKey(attribute))),
        RecordType record => record.Open || record.Attributes.ContainsKey(attribute),
        _ => false,
    };

    private Answer CheckSet(ImmutableHashSet<string> prior, VSet e)
    {
        var answers = e.Elements.Select(element => Check(prior, element)).ToList();
        bool anyFailed = answers.Any(a => !a.Ok);
        var lub = LeastUpperBoundOrError(e, answers.Select(a => a.Type));
        Answer result;
        if (Strict && e.Elements.Count == 0)
        {
            Error(ValidationCodes.EmptySetLiteral, e, "empty set literals are not allowed in strict mode: their element type is unknown");
            result = Answer.Fail(null);
        }
        else
        {
            result = lub is null ? Answer.Fail(null) : Answer.Success(new SetType(lub));
        }

        return anyFailed ? result with { Ok = false } : result;
    }

    private Answer CheckRecord(ImmutableHashSet<string> prior, VRecord e)
    {
        var attributes = new Dictionary<string, AttributeType>(StringComparer.Ordinal);
        bool anyFailed = false, anyUnknown = false;
        foreach (var (name, value) in e.Fields)
        {
            var answer = Check(prior, value);
            anyFailed |= !answer.Ok;
            if (answer.Type is null)
            {
                anyUnknown = true;
            }
            else
            {
                attributes[name] = new AttributeType(answer.Type, Required: true);
            }
        }

        var result = anyUnknown ? Answer.Fail(null) : Answer.Success(new RecordType(attributes, open: false));
        return anyFailed ? result with { Ok = false } : result;
    }

    private ValidatorType? LeastUpperBoundOrError(VExpr e, IEnumerable<ValidatorType?> types)
    {
        var list = types.ToList();
        if (list.Any(t => t is null))
        {
            return null;
        }

        var lub = TypeRelations.LeastUpperBound(list!, mode, out var reason);
        if (lub is null)
        {
            Error(ValidationCodes.IncompatibleTypes, e, $"incompatible types {string.Join(", ", list.Select(t => Describe(t!)))}" + (reason is null ? "" : $": {reason}"));
        }

        return lub;
    }
}
