using System.Collections;

namespace Mandate.Cedar;

/// <summary>
/// The transitive ancestors of one entity, without materialising them. The store's hierarchy is condensed into its
/// strongly connected components (members of a cycle are each other's ancestors), a spanning forest of the condensation
/// is numbered in depth-first pre/post order, and each component keeps only its <em>anchors</em>: the fewest components
/// whose forest paths to the root cover all its ancestors. A chain or a tree has one anchor per entity, so building is
/// O(n log n) instead of the O(n²) of one hash set per entity, and <c>in</c> is one dictionary lookup plus an interval
/// check per anchor. Overlay entities (per request) carry an explicit set instead.
/// </summary>
internal sealed class AncestorSet
{
    public static readonly AncestorSet Empty = new(new HashSet<EntityUid>());

    private readonly HashSet<EntityUid>? explicitSet;
    private readonly Hierarchy? hierarchy;
    private readonly int component;

    public AncestorSet(HashSet<EntityUid> ancestors) => explicitSet = ancestors;

    private AncestorSet(Hierarchy hierarchy, int component)
    {
        this.hierarchy = hierarchy;
        this.component = component;
    }

    /// <summary>True when the entity has no ancestor.</summary>
    public bool IsEmpty => explicitSet?.Count == 0 || (hierarchy is { } h && !h.Cyclic[component] && h.Anchors[component].Length == 0);

    /// <summary>An upper bound of the number of ancestors (exact for trees), in O(anchors).</summary>
    public int SizeHint
    {
        get
        {
            if (explicitSet is not null)
            {
                return explicitSet.Count;
            }

            var h = hierarchy!;
            var size = h.Cyclic[component] ? h.Members[component].Length : 0;
            foreach (var anchor in h.Anchors[component])
            {
                size += h.ClosureSize[anchor];
            }

            return size;
        }
    }

    public bool Contains(EntityUid uid)
    {
        if (explicitSet is not null)
        {
            return explicitSet.Contains(uid);
        }

        var h = hierarchy!;
        if (!h.ComponentOf.TryGetValue(uid, out var other))
        {
            return false;
        }

        if (other == component)
        {
            return h.Cyclic[component];
        }

        var pre = h.Pre[other];
        var post = h.Post[other];
        foreach (var anchor in h.Anchors[component])
        {
            if (pre <= h.Pre[anchor] && h.Post[anchor] <= post)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Every ancestor once, in O(ancestors). A struct: a <c>foreach</c> over it allocates nothing (this runs for the
    /// principal, action and resource of every decision), except the set of components passed when the entity has
    /// several anchors.
    /// </summary>
    public Enumerator Enumerate() => new(this);

    /// <summary>The walk of <see cref="Enumerate"/>: the explicit set; else the entity's own cycle, then each anchor's
    /// path towards the root, each component at most once.</summary>
    internal struct Enumerator : IEnumerable<EntityUid>, IEnumerator<EntityUid>
    {
        private const int NotStarted = 0, Explicit = 1, OwnCycle = 2, Anchors = 3, Done = 4;

        private readonly AncestorSet set;
        private HashSet<EntityUid>.Enumerator explicitMembers;
        private int phase;
        private EntityUid[]? members;
        private int index;
        private int anchor;
        private int component;
        private HashSet<int>? seen;

        public Enumerator(AncestorSet set)
        {
            this.set = set;
            anchor = -1;
        }

        public EntityUid Current { get; private set; }

        readonly object IEnumerator.Current => Current;

        public readonly Enumerator GetEnumerator() => this;

        readonly IEnumerator<EntityUid> IEnumerable<EntityUid>.GetEnumerator() => this;

        readonly IEnumerator IEnumerable.GetEnumerator() => this;

        public bool MoveNext()
        {
            while (true)
            {
                switch (phase)
                {
                    case NotStarted:
                        if (set.explicitSet is { } explicitSet)
                        {
                            explicitMembers = explicitSet.GetEnumerator();
                            phase = Explicit;
                            continue;
                        }

                        if (set.hierarchy!.Cyclic[set.component])
                        {
                            members = set.hierarchy.Members[set.component];
                            phase = OwnCycle;
                            continue;
                        }

                        StartAnchors();
                        continue;
                    case Explicit:
                        if (explicitMembers.MoveNext())
                        {
                            Current = explicitMembers.Current;
                            return true;
                        }

                        phase = Done;
                        continue;
                    case OwnCycle:
                        if (index < members!.Length)
                        {
                            Current = members[index++];
                            return true;
                        }

                        StartAnchors();
                        continue;
                    case Anchors:
                        if (members is not null && index < members.Length)
                        {
                            Current = members[index++];
                            return true;
                        }

                        var h = set.hierarchy!;
                        int next;
                        if (members is null)
                        {
                            // The next anchor's path starts at the anchor itself.
                            var anchors = h.Anchors[set.component];
                            if (++anchor >= anchors.Length)
                            {
                                phase = Done;
                                continue;
                            }

                            next = anchors[anchor];
                        }
                        else
                        {
                            next = h.TreeParent[component];
                        }

                        // A path ends at the root, at the entity's own component, or where an earlier path went on.
                        if (next < 0 || next == set.component || (seen is not null && !seen.Add(next)))
                        {
                            members = null;
                            continue;
                        }

                        component = next;
                        members = h.Members[next];
                        index = 0;
                        continue;
                    default:
                        return false;
                }
            }
        }

        private void StartAnchors()
        {
            phase = Anchors;
            members = null;
            index = 0;
            anchor = -1;
            seen = set.hierarchy!.Anchors[set.component].Length > 1 ? [] : null;
        }

        public readonly void Reset() => throw new NotSupportedException();

        public readonly void Dispose()
        {
        }
    }

    /// <summary>Builds the ancestor sets of every entity of <paramref name="map"/> in O(n log n) for forests.</summary>
    public static Dictionary<EntityUid, AncestorSet> Build(Dictionary<EntityUid, Entity> map)
    {
        var hierarchy = Hierarchy.Build(map);
        var result = new Dictionary<EntityUid, AncestorSet>(map.Count);
        var perComponent = new AncestorSet?[hierarchy.Members.Length];
        foreach (var uid in map.Keys)
        {
            var c = hierarchy.ComponentOf[uid];
            result[uid] = perComponent[c] ??= new AncestorSet(hierarchy, c);
        }

        return result;
    }

    private sealed class Hierarchy
    {
        public Dictionary<EntityUid, int> ComponentOf { get; } = [];

        public EntityUid[][] Members { get; private set; } = [];

        public bool[] Cyclic { get; private set; } = [];

        public int[] TreeParent { get; private set; } = [];

        public int[] Pre { get; private set; } = [];

        public int[] Post { get; private set; } = [];

        public int[] ClosureSize { get; private set; } = [];

        public int[][] Anchors { get; private set; } = [];

        public static Hierarchy Build(Dictionary<EntityUid, Entity> map)
        {
            // Node ids: the entities, then parents that are not in the store (ancestors all the same).
            var ids = new Dictionary<EntityUid, int>(map.Count);
            var uids = new List<EntityUid>(map.Count);
            foreach (var uid in map.Keys)
            {
                ids[uid] = uids.Count;
                uids.Add(uid);
            }

            var edges = new List<int[]>(map.Count);
            foreach (var entity in map.Values)
            {
                var parents = new int[entity.Parents.Count];
                for (var i = 0; i < parents.Length; i++)
                {
                    var parent = entity.Parents[i];
                    if (!ids.TryGetValue(parent, out var id))
                    {
                        id = uids.Count;
                        ids[parent] = id;
                        uids.Add(parent);
                    }

                    parents[i] = id;
                }

                edges.Add(parents);
            }

            var n = uids.Count;
            while (edges.Count < n)
            {
                edges.Add([]);
            }

            var (componentOf, components) = StronglyConnected(edges, n);
            var count = components.Count;
            var h = new Hierarchy
            {
                Members = new EntityUid[count][],
                Cyclic = new bool[count],
                TreeParent = new int[count],
                Pre = new int[count],
                Post = new int[count],
                ClosureSize = new int[count],
                Anchors = new int[count][],
            };
            for (var v = 0; v < n; v++)
            {
                h.ComponentOf[uids[v]] = componentOf[v];
            }

            // Components come out ancestors first (Tarjan emits a component after everything it reaches).
            var parentComponents = new int[count][];
            var stamp = new int[count];
            for (var c = 0; c < count; c++)
            {
                var members = components[c];
                h.Members[c] = members.Select(v => uids[v]).ToArray();
                var parents = new List<int>();
                foreach (var v in members)
                {
                    foreach (var w in edges[v])
                    {
                        var pc = componentOf[w];
                        if (pc == c)
                        {
                            h.Cyclic[c] = true;
                        }
                        else if (stamp[pc] != c + 1)
                        {
                            stamp[pc] = c + 1;
                            parents.Add(pc);
                        }
                    }
                }

                h.Cyclic[c] |= members.Count > 1;
                parentComponents[c] = [.. parents];
                h.TreeParent[c] = parents.Count > 0 ? parents[0] : -1;
                h.ClosureSize[c] = h.Members[c].Length + (parents.Count > 0 ? h.ClosureSize[parents[0]] : 0);
            }

            h.Number(count);

            // Anchors: the parent components and their anchors, less those another candidate's forest path covers.
            Array.Clear(stamp);
            var candidates = new List<int>();
            for (var c = 0; c < count; c++)
            {
                candidates.Clear();
                foreach (var p in parentComponents[c])
                {
                    if (stamp[p] != c + 1)
                    {
                        stamp[p] = c + 1;
                        candidates.Add(p);
                    }

                    foreach (var a in h.Anchors[p])
                    {
                        if (stamp[a] != c + 1)
                        {
                            stamp[a] = c + 1;
                            candidates.Add(a);
                        }
                    }
                }

                h.Anchors[c] = h.Prune(candidates);
            }

            return h;
        }

        /// <summary>
        /// Keeps the candidates no other candidate lies under. Forest intervals nest, so after sorting by pre-order a
        /// candidate is covered exactly when the next one starts inside its interval.
        /// </summary>
        private int[] Prune(List<int> candidates)
        {
            if (candidates.Count <= 1)
            {
                return [.. candidates];
            }

            candidates.Sort((a, b) => Pre[a].CompareTo(Pre[b]));
            var kept = new List<int>(candidates.Count);
            for (var i = 0; i < candidates.Count; i++)
            {
                var b = candidates[i];
                if (i + 1 < candidates.Count && Pre[candidates[i + 1]] < Post[b])
                {
                    continue;
                }

                kept.Add(b);
            }

            return [.. kept];
        }

        /// <summary>Pre/post order numbers of the spanning forest (tree parent = first parent component).</summary>
        private void Number(int count)
        {
            var childCount = new int[count + 1];
            for (var c = 0; c < count; c++)
            {
                if (TreeParent[c] >= 0)
                {
                    childCount[TreeParent[c] + 1]++;
                }
            }

            for (var c = 0; c < count; c++)
            {
                childCount[c + 1] += childCount[c];
            }

            var children = new int[Math.Max(1, childCount[count])];
            var fill = (int[])childCount.Clone();
            for (var c = 0; c < count; c++)
            {
                if (TreeParent[c] >= 0)
                {
                    children[fill[TreeParent[c]]++] = c;
                }
            }

            var clock = 0;
            var stack = new Stack<(int Component, int Next)>();
            for (var root = 0; root < count; root++)
            {
                if (TreeParent[root] >= 0)
                {
                    continue;
                }

                Pre[root] = clock++;
                stack.Push((root, childCount[root]));
                while (stack.Count > 0)
                {
                    var (c, next) = stack.Pop();
                    if (next < childCount[c + 1])
                    {
                        stack.Push((c, next + 1));
                        var child = children[next];
                        Pre[child] = clock++;
                        stack.Push((child, childCount[child]));
                    }
                    else
                    {
                        Post[c] = clock++;
                    }
                }
            }
        }

        /// <summary>Tarjan's algorithm without recursion: each node's component, and the components in completion order.</summary>
        private static (int[] ComponentOf, List<List<int>> Components) StronglyConnected(List<int[]> edges, int n)
        {
            var index = new int[n];
            var low = new int[n];
            var onStack = new bool[n];
            var componentOf = new int[n];
            Array.Fill(index, -1);
            var stack = new Stack<int>();
            var calls = new Stack<(int Node, int Edge)>();
            var components = new List<List<int>>();
            var counter = 0;
            for (var start = 0; start < n; start++)
            {
                if (index[start] >= 0)
                {
                    continue;
                }

                index[start] = low[start] = counter++;
                stack.Push(start);
                onStack[start] = true;
                calls.Push((start, 0));
                while (calls.Count > 0)
                {
                    var (u, e) = calls.Pop();
                    if (e < edges[u].Length)
                    {
                        calls.Push((u, e + 1));
                        var w = edges[u][e];
                        if (index[w] < 0)
                        {
                            index[w] = low[w] = counter++;
                            stack.Push(w);
                            onStack[w] = true;
                            calls.Push((w, 0));
                        }
                        else if (onStack[w])
                        {
                            low[u] = Math.Min(low[u], index[w]);
                        }

                        continue;
                    }

                    if (calls.Count > 0)
                    {
                        var caller = calls.Peek().Node;
                        low[caller] = Math.Min(low[caller], low[u]);
                    }

                    if (low[u] == index[u])
                    {
                        var component = new List<int>();
                        int w;
                        do
                        {
                            w = stack.Pop();
                            onStack[w] = false;
                            componentOf[w] = components.Count;
                            component.Add(w);
                        }
                        while (w != u);
                        components.Add(component);
                    }
                }
            }

            return (componentOf, components);
        }
    }
}
