using System.Text;

namespace Mandate.Cedar.Syntax;

internal enum ScopeKind
{
    Any,
    Equal,
    In,
    Is,
    IsIn,
}

/// <summary>
/// A principal or resource scope constraint: <c>principal</c>, <c>== E</c>, <c>in E</c>, <c>is T</c>, <c>is T in E</c>.
/// <see cref="Entity"/> is null while the constraint names a template slot (<see cref="IsSlot"/>).
/// </summary>
internal sealed record ScopeConstraint(ScopeKind Kind, EntityUid? Entity, string? EntityType, bool IsSlot)
{
    public static readonly ScopeConstraint Any = new(ScopeKind.Any, null, null, false);

    public ScopeConstraint Link(EntityUid value) => IsSlot ? this with { Entity = value, IsSlot = false } : this;

    public bool Matches(Values.EntityValue value, Evaluation.EvaluationContext context) => Kind switch
    {
        ScopeKind.Any => true,
        ScopeKind.Equal => value.Uid == Entity!.Value,
        ScopeKind.In => context.IsIn(value, Entity!.Value),
        ScopeKind.Is => string.Equals(value.Uid.Type, EntityType, StringComparison.Ordinal),
        _ => string.Equals(value.Uid.Type, EntityType, StringComparison.Ordinal) && context.IsIn(value, Entity!.Value),
    };

    public void Dump(StringBuilder builder, string variable)
    {
        builder.Append(variable);
        if (Kind is ScopeKind.Is or ScopeKind.IsIn)
        {
            builder.Append(" is ").Append(EntityType);
        }

        if (Kind is ScopeKind.Equal)
        {
            builder.Append(" == ");
        }
        else if (Kind is ScopeKind.In or ScopeKind.IsIn)
        {
            builder.Append(" in ");
        }

        if (Kind is ScopeKind.Equal or ScopeKind.In or ScopeKind.IsIn)
        {
            if (IsSlot)
            {
                builder.Append('?').Append(variable);
            }
            else
            {
                Entity!.Value.AppendTo(builder);
            }
        }
    }
}
