using System.Text;
using System.Text.Json;
using Mandate.Cedar.Json;
using Mandate.Cedar.Values;

namespace Mandate.Cedar;

/// <summary>
/// An immutable Cedar value: boolean, 64-bit integer, string, entity reference, set, record or an extension value
/// (<c>ipaddr</c>, <c>decimal</c>, <c>datetime</c>, <c>duration</c>). Equality is Cedar equality (sets unordered).
/// </summary>
public abstract class CedarValue : IEquatable<CedarValue>
{
    private protected CedarValue()
    {
    }

    /// <summary>Which kind of value this is; the <c>As…</c> accessor of that kind returns it.</summary>
    public abstract CedarValueKind Kind { get; }

    /// <summary>A Cedar boolean.</summary>
    public static CedarValue Bool(bool value) => value ? BoolValue.True : BoolValue.False;

    /// <summary>A Cedar <c>Long</c> (64-bit signed integer).</summary>
    public static CedarValue Long(long value) => LongValue.Of(value);

    /// <summary>A Cedar string.</summary>
    public static CedarValue String(string value) => new StringValue(value ?? throw new ArgumentNullException(nameof(value)));

    /// <summary>A reference to an entity (the entity need not exist in any store).</summary>
    public static CedarValue Entity(EntityUid uid) => new EntityValue(uid);

    /// <summary>A Cedar set: unordered, duplicates removed.</summary>
    public static CedarValue Set(IEnumerable<CedarValue> items) => SetValue.Of(items ?? throw new ArgumentNullException(nameof(items)));

    /// <summary>A Cedar record of named attributes.</summary>
    public static CedarValue Record(IEnumerable<KeyValuePair<string, CedarValue>> attributes)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        var map = new Dictionary<string, CedarValue>(StringComparer.Ordinal);
        foreach (var (key, value) in attributes)
        {
            map[key] = value ?? throw new ArgumentException($"The attribute '{key}' has no value.", nameof(attributes));
        }

        return new RecordValue(map);
    }

    /// <summary>An <c>ipaddr</c> value; throws <see cref="CedarException"/> when the text is not an IP address or CIDR range.</summary>
    public static CedarValue Ip(string text) => IpValue.TryParse(text, out var value, out var error) ? value : throw new CedarException(error);

    /// <summary>A <c>decimal</c> value (four fractional digits); throws <see cref="CedarException"/> when malformed.</summary>
    public static CedarValue Decimal(string text) => DecimalValue.TryParse(text, out var value, out var error) ? value : throw new CedarException(error);

    /// <summary>A <c>datetime</c> value; throws <see cref="CedarException"/> when malformed.</summary>
    public static CedarValue Datetime(string text) => DatetimeValue.TryParse(text, out var value, out var error) ? value : throw new CedarException(error);

    /// <summary>A <c>duration</c> value such as <c>1h30m</c>; throws <see cref="CedarException"/> when malformed.</summary>
    public static CedarValue Duration(string text) => DurationValue.TryParse(text, out var value, out var error) ? value : throw new CedarException(error);

    /// <summary>Reads a value in Cedar's schema-less JSON form (<c>__entity</c> and <c>__extn</c> escapes).</summary>
    public static CedarValue FromJson(JsonElement json) => CedarJsonReader.ReadValue(json, null, "value");

    /// <summary>Cedar's JSON form of this value (entities and extension values as escapes).</summary>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            WriteJson(writer);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>The boolean; throws <see cref="InvalidOperationException"/> for any other kind.</summary>
    public bool AsBool() => this is BoolValue b ? b.Value : throw WrongKind(CedarValueKind.Bool);

    /// <summary>The integer; throws <see cref="InvalidOperationException"/> for any other kind.</summary>
    public long AsLong() => this is LongValue l ? l.Value : throw WrongKind(CedarValueKind.Long);

    /// <summary>The string; throws <see cref="InvalidOperationException"/> for any other kind.</summary>
    public string AsString() => this is StringValue s ? s.Value : throw WrongKind(CedarValueKind.String);

    /// <summary>The entity reference; throws <see cref="InvalidOperationException"/> for any other kind.</summary>
    public EntityUid AsEntity() => this is EntityValue e ? e.Uid : throw WrongKind(CedarValueKind.Entity);

    /// <summary>The set's elements; throws <see cref="InvalidOperationException"/> for any other kind.</summary>
    public IReadOnlyList<CedarValue> AsSet() => this is SetValue s ? s.Items : throw WrongKind(CedarValueKind.Set);

    /// <summary>The record's attributes; throws <see cref="InvalidOperationException"/> for any other kind.</summary>
    public IReadOnlyDictionary<string, CedarValue> AsRecord() => this is RecordValue r ? r.Attributes : throw WrongKind(CedarValueKind.Record);

    internal abstract void WriteJson(Utf8JsonWriter writer);

    /// <summary>Appends this value as a Cedar expression (used by the formatter and messages).</summary>
    internal abstract void AppendCedar(StringBuilder builder);

    /// <summary>The value as a Cedar expression, for example <c>[1, "a", User::"x"]</c>.</summary>
    public override string ToString()
    {
        var builder = new StringBuilder();
        AppendCedar(builder);
        return builder.ToString();
    }

    /// <summary>Cedar equality: same kind and same value, sets compared without regard to order.</summary>
    public abstract bool Equals(CedarValue? other);

    /// <summary>Cedar equality with another <see cref="CedarValue"/>; false for anything else.</summary>
    public override bool Equals(object? obj) => obj is CedarValue other && Equals(other);

    /// <summary>A hash consistent with Cedar equality.</summary>
    public abstract override int GetHashCode();

    /// <summary>Cedar equality; two nulls are equal.</summary>
    public static bool operator ==(CedarValue? left, CedarValue? right) => left is null ? right is null : left.Equals(right);

    /// <summary>The negation of Cedar equality.</summary>
    public static bool operator !=(CedarValue? left, CedarValue? right) => !(left == right);

    private InvalidOperationException WrongKind(CedarValueKind expected) =>
        new($"The value is a {Kind}, not a {expected}.");
}
