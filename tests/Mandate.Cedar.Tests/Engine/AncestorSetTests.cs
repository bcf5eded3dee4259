namespace Mandate.Cedar.Tests.Engine;

/// <summary>
/// The condensed, anchored hierarchy answers <c>in</c> and enumerates ancestors exactly like the plain transitive
/// closure, on random hierarchies with several parents, cycles, self-loops and parents missing from the store.
/// </summary>
public sealed class AncestorSetTests
{
    [Fact]
    public void Hierarchy_ShouldAgreeWithTheTransitiveClosure_OnRandomGraphs()
    {
        var random = new Random(7);
        for (var round = 0; round < 300; round++)
        {
            var size = random.Next(1, 30);
            var uids = Enumerable.Range(0, size + 3).Select(i => new EntityUid("N", i.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToArray();
            var parents = new Dictionary<EntityUid, List<EntityUid>>();
            for (var i = 0; i < size; i++)
            {
                // Mostly upward edges (a DAG), sometimes any edge (cycles, self-loops), sometimes a parent not stored.
                var list = new List<EntityUid>();
                for (var k = random.Next(0, 4); k > 0; k--)
                {
                    var target = random.Next(10) switch
                    {
                        0 => random.Next(size),
                        1 => size + random.Next(3),
                        _ => i + 1 + random.Next(Math.Max(1, size - i)),
                    };
                    var parent = uids[Math.Min(target, uids.Length - 1)];
                    if (!list.Contains(parent))
                    {
                        list.Add(parent);
                    }
                }

                parents[uids[i]] = list;
            }

            var store = Entities.Create(parents.Select(p => new Entity(p.Key, null, p.Value)));
            foreach (var (uid, _) in parents)
            {
                var expected = Closure(uid, parents);
                Assert.True(store.TryGetStored(uid, out var stored));
                Assert.Equal(expected.OrderBy(u => u.Id), stored.Ancestors.Enumerate().OrderBy(u => u.Id));
                Assert.True(stored.Ancestors.SizeHint >= expected.Count);
                Assert.Equal(expected.Count == 0, stored.Ancestors.IsEmpty);
                foreach (var other in uids)
                {
                    Assert.Equal(expected.Contains(other), stored.Ancestors.Contains(other));
                    Assert.Equal(other == uid || expected.Contains(other), store.IsInOrEqual(uid, other));
                }
            }
        }
    }

    [Fact]
    public void Chain_OfHundredThousandEntities_ShouldLoad_AndAnswerInAtTheBottom()
    {
        const int length = 100_000;
        var entities = Enumerable.Range(0, length).Select(i => new Entity(
            new EntityUid("Group", "g" + i),
            null,
            i + 1 < length ? [new EntityUid("Group", "g" + (i + 1))] : []));
        var store = Entities.Create(entities);
        Assert.True(store.IsInOrEqual(new EntityUid("Group", "g0"), new EntityUid("Group", "g" + (length - 1))));
        Assert.False(store.IsInOrEqual(new EntityUid("Group", "g" + (length - 1)), new EntityUid("Group", "g0")));
    }

    private static HashSet<EntityUid> Closure(EntityUid start, Dictionary<EntityUid, List<EntityUid>> parents)
    {
        var result = new HashSet<EntityUid>();
        var stack = new Stack<EntityUid>([start]);
        while (stack.Count > 0)
        {
            foreach (var parent in parents.TryGetValue(stack.Pop(), out var list) ? list : [])
            {
                if (result.Add(parent))
                {
                    stack.Push(parent);
                }
            }
        }

        return result;
    }
}
