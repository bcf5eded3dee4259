using System.Text;

namespace Mandate.Cedar.Syntax;

/// <summary><c>action</c>, <c>action == A</c>, <c>action in A</c> or <c>action in [A, B]</c>.</summary>
internal sealed record ActionConstraint(ScopeKind Kind, IReadOnlyList<EntityUid> Entities, bool IsList)
{
    public static readonly ActionConstraint Any = new(ScopeKind.Any, [], false);

    public bool Matches(Values.EntityValue action, Evaluation.EvaluationContext context)
    {
        switch (Kind)
        {
            case ScopeKind.Any:
                return true;
            case ScopeKind.Equal:
                return action.Uid == Entities[0];
            default:
                foreach (var candidate in Entities)
                {
                    if (context.IsIn(action, candidate))
                    {
                        return true;
                    }
                }

                return false;
        }
    }

    public void Dump(StringBuilder builder)
    {
        builder.Append("action");
        if (Kind == ScopeKind.Any)
        {
            return;
        }

        builder.Append(Kind == ScopeKind.Equal ? " == " : " in ");
        if (IsList)
        {
            builder.Append('[');
            for (var i = 0; i < Entities.Count; i++)
            {
                if (i > 0)
                {
                    builder.Append(", ");
                }

                Entities[i].AppendTo(builder);
            }

            builder.Append(']');
        }
        else
        {
            Entities[0].AppendTo(builder);
        }
    }
}
