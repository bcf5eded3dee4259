using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Mandate.Core.Audit;

namespace Mandate.Core.Detection;

/// <summary>How the rules read ledger records: event kinds, identities in entity form, folded counts, reason codes.</summary>
internal static class DetectionEvents
{
    public const string RepeatedSuffix = ".repeated";

    /// <summary>The event type without the <c>.repeated</c> of a folded record.</summary>
    public static string BaseType(AuditEvent e) =>
        e.Type.EndsWith(RepeatedSuffix, StringComparison.Ordinal) ? e.Type[..^RepeatedSuffix.Length] : e.Type;

    /// <summary>How many events a record stands for: one, or the repeats a <c>.repeated</c> record counts.</summary>
    public static long Count(AuditEvent e)
    {
        if (!e.Type.EndsWith(RepeatedSuffix, StringComparison.Ordinal))
        {
            return 1;
        }

        return e.Details is { } d && d.TryGetValue("repeats", out var text) && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 1;
    }

    /// <summary>A detail of the record, or of the first folded event for a <c>.repeated</c> record.</summary>
    public static string? Detail(AuditEvent e, string name)
    {
        if (e.Details is not { } details)
        {
            return null;
        }

        return details.TryGetValue(name, out var value) || details.TryGetValue("first_" + name, out value) ? value : null;
    }

    /// <summary>Whether the record is the engine's own output, which no rule reads.</summary>
    public static bool IsOwnOutput(AuditEvent e) =>
        e.Type.StartsWith("detection.alert", StringComparison.Ordinal)
        || e.Type.StartsWith("detection.response", StringComparison.Ordinal)
        || e.Type.StartsWith("risk.", StringComparison.Ordinal);

    /// <summary>Whether the record is a decision (<c>decision</c> or its folded <c>decision.repeated</c>).</summary>
    public static bool IsDecision(AuditEvent e) => BaseType(e) == "decision";

    public static bool IsDeny(AuditEvent e) => string.Equals(e.Decision, "deny", StringComparison.Ordinal);

    /// <summary>The code an early deny's reason starts with (<c>outside_task_scope: …</c> → <c>outside_task_scope</c>).</summary>
    public static string? ReasonCode(AuditEvent e)
    {
        if (e.Reason is not { } reason)
        {
            return null;
        }

        var colon = reason.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 ? reason[..colon] : reason;
    }

    /// <summary>The id of an entity written as <c>Type::"id"</c>, or the text itself when it is not in that form.</summary>
    public static string? EntityId(string? entity) => entity is null ? null : SplitEntity(entity).Id;

    /// <summary>The type of an entity written as <c>Type::"id"</c> (null when it is not in that form).</summary>
    public static string? EntityType(string? entity) => entity is null ? null : SplitEntity(entity).Type;

    /// <summary>The identity a decision is about: its principal's id.</summary>
    public static string? DecisionIdentity(AuditEvent e) => EntityId(e.Subject);

    /// <summary>
    /// The client address in a credential use source: <c>authzen:pep:gateway@10.0.0.7</c> → <c>10.0.0.7</c>,
    /// <c>authzen:10.0.0.7</c> → <c>10.0.0.7</c>; null when the source names none.
    /// </summary>
    public static string? SourceAddress(string source)
    {
        var at = source.LastIndexOf('@');
        var address = at >= 0 ? source[(at + 1)..] : source.StartsWith("authzen:", StringComparison.Ordinal) ? source["authzen:".Length..] : null;
        return address is null or "" or "unknown" or "anonymous" ? null : address;
    }

    // The rules split the same few entity texts (an estate's principals, actions, resource types) for every record: each
    // text is split once and its parts shared, in a bounded table so that ever new entities cannot grow it.
    private const int MaxRemembered = 4096;
    private static readonly ConcurrentDictionary<string, (string? Type, string Id)> Split = new(StringComparer.Ordinal);
    private static int remembered;

    private static (string? Type, string Id) SplitEntity(string entity)
    {
        if (Split.TryGetValue(entity, out var parts))
        {
            return parts;
        }

        parts = SplitNew(entity);
        if (Volatile.Read(ref remembered) < MaxRemembered && Split.TryAdd(entity, parts))
        {
            Interlocked.Increment(ref remembered);
        }

        return parts;
    }

    private static (string? Type, string Id) SplitNew(string entity)
    {
        var separator = entity.IndexOf("::\"", StringComparison.Ordinal);
        if (separator <= 0 || !entity.EndsWith('"') || entity.Length < separator + 4)
        {
            return (null, entity);
        }

        var quoted = entity.AsSpan(separator + 3, entity.Length - separator - 4);
        if (quoted.IndexOf('\\') < 0)
        {
            return (entity[..separator], quoted.ToString());
        }

        var id = new StringBuilder(quoted.Length);
        for (var i = 0; i < quoted.Length; i++)
        {
            if (quoted[i] == '\\' && i + 1 < quoted.Length)
            {
                i++;
            }

            id.Append(quoted[i]);
        }

        return (entity[..separator], id.ToString());
    }
}
