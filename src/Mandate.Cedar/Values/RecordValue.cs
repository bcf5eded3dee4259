using System.Text;
using System.Text.Json;

namespace Mandate.Cedar.Values;

internal sealed class RecordValue(IReadOnlyDictionary<string, CedarValue> attributes) : CedarValue
{
    public static readonly RecordValue Empty = new(new Dictionary<string, CedarValue>(StringComparer.Ordinal));

    public IReadOnlyDictionary<string, CedarValue> Attributes { get; } = attributes;

    public override CedarValueKind Kind => CedarValueKind.Record;

    public override bool Equals(CedarValue? other)
    {
        if (other is not RecordValue r || r.Attributes.Count != Attributes.Count)
        {
            return false;
        }

        foreach (var (key, value) in Attributes)
        {
            if (!r.Attributes.TryGetValue(key, out var theirs) || !theirs.Equals(value))
            {
                return false;
            }
        }

        return true;
    }

    public override int GetHashCode()
    {
        var h = Attributes.Count;
        foreach (var (key, value) in Attributes)
        {
            h ^= HashCode.Combine(StringComparer.Ordinal.GetHashCode(key), value.GetHashCode());
        }

        return h;
    }

    internal override void WriteJson(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        foreach (var (key, value) in Attributes.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            writer.WritePropertyName(key);
            value.WriteJson(writer);
        }

        writer.WriteEndObject();
    }

    internal override void AppendCedar(StringBuilder builder)
    {
        builder.Append('{');
        var first = true;
        foreach (var (key, value) in Attributes.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            builder.Append(first ? "" : ", ");
            first = false;
            Syntax.StringEscaper.AppendQuoted(builder, key);
            builder.Append(": ");
            value.AppendCedar(builder);
        }

        builder.Append('}');
    }
}
