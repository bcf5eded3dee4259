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

    public abstract CedarValueKind Kind { get; }

    public static CedarValue Bool(bool value) => value ? BoolValue.True : BoolValue.False;

    public static CedarValue Long(long value) => LongValue.Of(value);

    public static CedarValue String(string value) => new StringValue(value ?? throw new ArgumentNullException(nameof(value)));

    public static CedarValue Entity(EntityUid uid) => new EntityValue(uid);

    public static CedarValue Set(IEnumerable<CedarValue> items) => SetValue.Of(items ?? throw new ArgumentNullException(nameof(items)));

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

    public bool AsBool() => this is BoolValue b ? b.Value : throw WrongKind(CedarValueKind.Bool);

    public long AsLong() => this is LongValue l ? l.Value : throw WrongKind(CedarValueKind.Long);

    public string AsString() => this is StringValue s ? s.Value : throw WrongKind(CedarValueKind.String);

    public EntityUid AsEntity() => this is EntityValue e ? e.Uid : throw WrongKind(CedarValueKind.Entity);

    public IReadOnlyList<CedarValue> AsSet() => this is SetValue s ? s.Items : throw WrongKind(CedarValueKind.Set);

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

    public abstract bool Equals(CedarValue? other);

    public override bool Equals(object? obj) => obj is CedarValue other && Equals(other);

    public abstract override int GetHashCode();

    public static bool operator ==(CedarValue? left, CedarValue? right) => left is null ? right is null : left.Equals(right);

    public static bool operator !=(CedarValue? left, CedarValue? right) => !(left == right);

    private InvalidOperationException WrongKind(CedarValueKind expected) =>
        new($"The value is a {Kind}, not a {expected}.");
}
