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
    }

    public int Count => 1 + (ignoredProperties is null ? 0 : 1) + (client is null ? 0 : 1) + (exceptionId is null ? 0 : 1) + (exceptionKind is null ? 0 : 1)
        + (context is null ? 0 : 1) + (contextOmitted is null ? 0 : 1);

    public IEnumerable<string> Keys => this.Select(p => p.Key);

    public IEnumerable<string> Values => this.Select(p => p.Value);

    public string this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"The given key '{key}' was not present in the dictionary.");

    /// <summary>The pair at <paramref name="index"/> in enumeration order.</summary>
    public KeyValuePair<string, string> this[int index]
    {
        get
        {
            // The fields in enumeration order; the index counts only those that are set.
            var remaining = index;
            if (remaining == 0)
            {
                return new(DecisionIdKey, decisionId);
            }

            if (Take(IgnoredPropertiesKey, ignoredProperties, ref remaining) is { } ignored)
            {
                return ignored;
            }

            if (Take(ClientKey, client, ref remaining) is { } clientPair)
            {
                return clientPair;
            }

            if (Take(ExceptionIdKey, exceptionId, ref remaining) is { } exception)
            {
                return exception;
            }

            if (Take(ExceptionKindKey, exceptionKind, ref remaining) is { } kind)
            {
                return kind;
            }

            if (Take(ContextKey, context, ref remaining) is { } contextPair)
            {
                return contextPair;
            }

            if (Take(ContextOmittedKey, contextOmitted, ref remaining) is { } omitted)
            {
                return omitted;
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
        yield return new(DecisionIdKey, decisionId);
        if (ignoredProperties is not null)
        {
            yield return new(IgnoredPropertiesKey, ignoredProperties);
        }

        if (client is not null)
        {
            yield return new(ClientKey, client);
        }

        if (exceptionId is not null)
        {
            yield return new(ExceptionIdKey, exceptionId);
        }

        if (exceptionKind is not null)
        {
            yield return new(ExceptionKindKey, exceptionKind);
        }

        if (context is not null)
        {
            yield return new(ContextKey, context);
        }

        if (contextOmitted is not null)
        {
            yield return new(ContextOmittedKey, contextOmitted);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The pair when <paramref name="value"/> is set and is the one <paramref name="remaining"/> counts down to.</summary>
    private static KeyValuePair<string, string>? Take(string key, string? value, ref int remaining)
    {
        if (value is null)
        {
            return null;
        }

        return --remaining == 0 ? new(key, value) : null;
    }
}
