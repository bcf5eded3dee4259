using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Mandate.Core.Decisions;

/// <summary>
/// The details of a decision's audit record (<c>decision_id</c>, and <c>ignored_properties</c>, <c>client</c>,
/// <c>exception_id</c>, <c>exception_kind</c>, <c>context</c> and <c>context_omitted</c> when there are any), in that
/// order, as a read-only dictionary of at most seven fixed keys: one small object per audited
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
}
