using Mandate.Cedar;

namespace Mandate.Benchmarks.Cedar.Comparators;

/// <summary>
/// The comparator for <see cref="HierarchyLoadBenchmarks"/>: one transitive-closure hash set per entity, built by a
/// walk from each entity up its parents — what Mandate did before the security review (L12) and the obvious way to
/// answer <c>in</c> with one lookup. Time and memory grow with the sum of ancestor-set sizes: O(n²) on a chain.
/// </summary>
internal static class PerEntityClosure
{
    public static Dictionary<EntityUid, HashSet<EntityUid>> Build(IReadOnlyList<Entity> entities)
    {
        var parents = new Dictionary<EntityUid, IReadOnlyCollection<EntityUid>>(entities.Count);
        foreach (var entity in entities)
        {
            parents[entity.Uid] = entity.Parents;
        }

        var closure = new Dictionary<EntityUid, HashSet<EntityUid>>(entities.Count);
        var stack = new Stack<EntityUid>();
        foreach (var entity in entities)
        {
            var ancestors = new HashSet<EntityUid>();
            foreach (var parent in entity.Parents)
            {
                stack.Push(parent);
            }

            while (stack.Count > 0)
            {
                var next = stack.Pop();
                if (ancestors.Add(next) && parents.TryGetValue(next, out var above))
                {
                    foreach (var parent in above)
                    {
                        stack.Push(parent);
                    }
                }
            }

            closure[entity.Uid] = ancestors;
        }

        return closure;
    }
}
