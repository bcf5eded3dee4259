using System.Collections.Concurrent;
using Mandate.Cedar;

namespace Mandate.Core.Decisions;

/// <summary>
/// The Cedar text of an entity as a decision's audit record names it (<c>Type::"id"</c>). Enforcement points ask about
/// the same principals, actions and resources again and again: the text is made once per entity and shared (strings
/// are immutable), in a bounded table so that requests naming ever new entities cannot grow it.
/// </summary>
internal static class AuditNames
{
    private const int MaxRemembered = 4096;

    private static readonly ConcurrentDictionary<EntityUid, string> Remembered = new();

    // Counted here: the table's own Count takes every lock.
    private static int remembered;

    public static string Of(EntityUid uid)
    {
        if (Remembered.TryGetValue(uid, out var text))
        {
            return text;
        }

        text = uid.ToString();
        if (Volatile.Read(ref remembered) < MaxRemembered && Remembered.TryAdd(uid, text))
        {
            Interlocked.Increment(ref remembered);
        }

        return text;
    }
}
