using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Mandate.Core.Decisions;

/// <summary>
/// The details of a decision's audit record (<c>decision_id</c>, and <c>ignored_properties</c>, <c>client</c>,
/// <c>exception_id</c> and <c>exception_kind</c> when there are any), in that order, as a read-only dictionary of at
/// most five fixed keys: one small object per audited
/// decision instead of a hash table. Readers see exactly what a <see cref="Dictionary{TKey, TValue}"/> filled in the
/// same order would show them (enumeration order, lookups by ordinal key).
/// </summary>
internal sealed class DecisionAuditDetails : IReadOnlyDictionary<string, string>
{
    public const string DecisionIdKey = "decision_id";
    public const string IgnoredPropertiesKey = "ignored_properties";
    public const string ClientKey = "client";

    /// <summary>The exception or break-glass grant that permitted the decision (read by the <c>exception_use</c> rule).</summary>
    public const string ExceptionIdKey = "exception_id";

    /// <summary><c>exception</c> or <c>breakglass</c>.</summary>
    public const string ExceptionKindKey = "exception_kind";

    private readonly string decisionId;
    private readonly string? ignoredProperties;
    private readonly string? client;
    private readonly string? exceptionId;
    private readonly string? exceptionKind;

    public DecisionAuditDetails(string decisionId, string? ignoredProperties, string? client, string? exceptionId = null, string? exceptionKind = null)
    {
        ArgumentNullException.ThrowIfNull(decisionId);
        this.decisionId = decisionId;
        this.ignoredProperties = ignoredProperties;
        this.client = client;
        this.exceptionId = exceptionId;
        this.exceptionKind = exceptionId is null ? null : exceptionKind;
    }

    public int Count => 1 + (ignoredProperties is null ? 0 : 1) + (client is null ? 0 : 1) + (exceptionId is null ? 0 : 1) + (exceptionKind is null ? 0 : 1);

    public IEnumerable<string> Keys => this.Select(p => p.Key);

    public IEnumerable<string> Values => this.Select(p => p.Value);

    public string this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"The given key '{key}' was not present in the dictionary.");

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
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
