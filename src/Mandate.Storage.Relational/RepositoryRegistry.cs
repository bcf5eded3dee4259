using System.Collections.Frozen;
using System.Reflection;

namespace Mandate.Storage.Relational;

/// <summary>
/// Finds every <see cref="RepositoryAttribute"/> class in this assembly once, so that adding a repository is adding a
/// file: no central list to edit.
/// </summary>
internal static class RepositoryRegistry
{
    private static readonly FrozenDictionary<Type, Func<RelationalSession, object>> Factories = Discover();

    public static object Create(Type contract, RelationalSession session) =>
        Factories.TryGetValue(contract, out var factory)
            ? factory(session)
            : throw new InvalidOperationException($"No relational repository implements {contract.FullName}.");

    private static FrozenDictionary<Type, Func<RelationalSession, object>> Discover()
    {
        var factories = new Dictionary<Type, Func<RelationalSession, object>>();
        foreach (var type in typeof(RepositoryRegistry).Assembly.GetTypes())
        {
            if (type.GetCustomAttribute<RepositoryAttribute>() is not { } attribute)
            {
                continue;
            }

            var constructor = type.GetConstructor(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance, [typeof(RelationalSession)])
                ?? throw new InvalidOperationException($"{type.FullName} needs a constructor taking a RelationalSession.");
            factories.Add(attribute.Contract, session => constructor.Invoke([session]));
        }

        return factories.ToFrozenDictionary();
    }
}
