using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Mandate.Core.Decisions;

/// <summary>
/// The details of a decision's audit record (<c>decision_id</c>, and <c>ignored_properties</c>, <c>client</c>,
/// <c>exception_id</c>, <c>exception_kind</c>, <c>context</c> and <c>context_omitted</c> when there are any), in that
/// order, as a read-only dictionary of at most seven fixed keys: one small object per audited
/// decision instead of a hash table. Readers see exactly what a <see cref="Dictionary{TKey, TValue}"/> filled in the
/// same order would show them (enumeration order, lookups by ordinal key). Also a list of its pairs in that order: the
/// ledger's two passes over every record's details (the secret check, the canonical body) index it rather than take an
/// enumerator object each (<see cref="IReadOnlyList{T}"/> is what they test for, so they need not know this type).
/// </summary>
internal sealed class DecisionAuditDetails : IReadOnlyDictionary<string, string>, IReadOnlyList<KeyValuePair<string, string>>
{
    public const string DecisionIdKey = "decision_id";
    public const string IgnoredPropertiesKey = "ignored_properties";
    public const string ClientKey = "client";

    /// <summary>The exception or break-glass grant that permitted the decision (read by the <c>exception_use</c> rule).</summary>
    public const string ExceptionIdKey = "exception_id";

    /// <summary><c>exception</c> or <c>breakglass</c>.</summary>
    public const string ExceptionKindKey = "exception_kind";

    /// <summary>The request's context as the record keeps it (<see cref="DecisionContextRecord"/>), Cedar JSON.</summary>
    public const string ContextKey = "context";

    /// <summary>The size in bytes of a context too large to keep (over <see cref="DecisionContextRecord.MaxBytes"/>).</summary>
    public const string ContextOmittedKey = "context_omitted";

    private readonly string decisionId;
    private readonly string? ignoredProperties;
    private readonly string? client;
    private readonly string? exceptionId;
    private readonly string? exceptionKind;
    private readonly string? context;
    private readonly string? contextOmitted;

    // The keys in enumeration order: the indexer, the enumerator and the constructor's count walk them (Slot gives each
    // one's value).
    private static readonly string[] SlotKeys = [DecisionIdKey, IgnoredPropertiesKey, ClientKey, ExceptionIdKey, ExceptionKindKey, ContextKey, ContextOmittedKey];

    public DecisionAuditDetails(string decisionId, string? ignoredProperties, string? client, string? exceptionId = null, string? exceptionKind = null, string? context = null, string? contextOmitted = null)
    {
        ArgumentNullException.ThrowIfNull(decisionId);
        this.decisionId = decisionId;
        this.ignoredProperties = ignoredProperties;
        this.client = client;
        this.exceptionId = exceptionId;
        this.exceptionKind = exceptionId is null ? null : exceptionKind;
        this.context = context;
        this.contextOmitted = context is null ? contextOmitted : null;
        for (var slot = 0; slot < SlotKeys.Length; slot++)
        {
            Count += Slot(slot) is null ? 0 : 1;
        }
    }

    // Counted once (the fields never change): the indexed readers ask for it on every step.
    public int Count { get; }

    public IEnumerable<string> Keys => this.Select(p => p.Key);

    public IEnumerable<string> Values => this.Select(p => p.Value);

    public string this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"The given key '{key}' was not present in the dictionary.");

    /// <summary>The pair at <paramref name="index"/> in enumeration order (which counts only the details that are set).</summary>
    public KeyValuePair<string, string> this[int index]
    {
        get
        {
            var remaining = index;
            for (var slot = 0; slot < SlotKeys.Length; slot++)
            {
                if (Slot(slot) is { } value && remaining-- == 0)
                {
                    return new(SlotKeys[slot], value);
                }
            }

            throw new ArgumentOutOfRangeException(nameof(index), index, "There are fewer details.");
        }
    }

    public bool ContainsKey(string key) => TryGetValue(key, out _);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value)
    {
        ArgumentNullException.ThrowIfNull(key);
        value = key switch
        {
            DecisionIdKey => decisionId,
            IgnoredPropertiesKey => ignoredProperties,
            ClientKey => client,
            ExceptionIdKey => exceptionId,
            ExceptionKindKey => exceptionKind,
            ContextKey => context,
            ContextOmittedKey => contextOmitted,
            _ => null,
        };
        return value is not null;
    }

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator()
    {
        for (var slot = 0; slot < SlotKeys.Length; slot++)
        {
            if (Slot(slot) is { } value)
            {
                yield return new(SlotKeys[slot], value);
            }
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The value under <see cref="SlotKeys"/>[<paramref name="slot"/>], null when it is not set.</summary>
    private string? Slot(int slot) => slot switch
    {
        0 => decisionId,
        1 => ignoredProperties,
        2 => client,
        3 => exceptionId,
        4 => exceptionKind,
        5 => context,
        6 => contextOmitted,
        _ => null,
    };
}
