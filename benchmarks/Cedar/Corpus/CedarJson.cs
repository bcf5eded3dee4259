using System.Text;
using System.Text.Json;
using Mandate.Benchmarks.Cedar.Model;

namespace Mandate.Benchmarks.Cedar.Corpus;

/// <summary>
/// Writes generated data in Cedar's JSON formats: the entities format (uid, attrs, parents; entity references in
/// attributes as <c>__entity</c> escapes, so they parse with or without a schema) and request fields.
/// </summary>
public static class CedarJson
{
    public static string EntitiesToJson(IEnumerable<GeneratedEntity> entities)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteEntities(writer, entities);
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    public static string ContextToJson(IReadOnlyList<(string Name, AttributeValue Value)> context)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteRecord(writer, context);
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    public static void WriteEntities(Utf8JsonWriter writer, IEnumerable<GeneratedEntity> entities)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(entities);
        writer.WriteStartArray();
        foreach (var entity in entities)
        {
            writer.WriteStartObject();
            writer.WritePropertyName("uid");
            WriteUid(writer, entity.Uid);
            writer.WritePropertyName("attrs");
            WriteRecord(writer, entity.Attributes);
            writer.WriteStartArray("parents");
            foreach (var parent in entity.Parents)
            {
                WriteUid(writer, parent);
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }

    public static void WriteRequest(Utf8JsonWriter writer, GeneratedRequest request)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(request);
        writer.WriteStartObject();
        writer.WritePropertyName("principal");
        WriteUid(writer, request.Principal);
        writer.WritePropertyName("action");
        WriteUid(writer, request.Action);
        writer.WritePropertyName("resource");
        WriteUid(writer, request.Resource);
        writer.WritePropertyName("context");
        WriteRecord(writer, request.Context);
        writer.WriteEndObject();
    }

    public static void WriteUid(Utf8JsonWriter writer, Uid uid)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteString("type", uid.Type);
        writer.WriteString("id", uid.Id);
        writer.WriteEndObject();
    }

    public static void WriteValue(Utf8JsonWriter writer, AttributeValue value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        switch (value)
        {
            case StringValue s:
                writer.WriteStringValue(s.Value);
                break;
            case LongValue l:
                writer.WriteNumberValue(l.Value);
                break;
            case BoolValue b:
                writer.WriteBooleanValue(b.Value);
                break;
            case EntityValue e:
                writer.WriteStartObject();
                writer.WritePropertyName("__entity");
                WriteUid(writer, e.Value);
                writer.WriteEndObject();
                break;
            case SetValue set:
                writer.WriteStartArray();
                foreach (var element in set.Elements)
                {
                    WriteValue(writer, element);
                }
                writer.WriteEndArray();
                break;
            case RecordValue record:
                WriteRecord(writer, record.Fields);
                break;
            default:
                throw new ArgumentException($"Unsupported generated value {value.GetType().Name}.", nameof(value));
        }
    }

    private static void WriteRecord(Utf8JsonWriter writer, IReadOnlyList<(string Name, AttributeValue Value)> fields)
    {
        writer.WriteStartObject();
        foreach (var (name, value) in fields)
        {
            writer.WritePropertyName(name);
            WriteValue(writer, value);
        }
        writer.WriteEndObject();
    }
}
