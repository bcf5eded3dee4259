using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Mandate.Core.Audit.Canonical;

namespace Mandate.Core.Audit;

/// <summary>
/// The body of an audit record as RFC 8785 canonical JSON: members in UTF-16 code-unit order, no white space, absent
/// values left out. These exact bytes are hashed into the chain, so an exported event that was re-serialized anywhere
/// can be re-canonicalized and checked.
/// </summary>
internal static class AuditCanonicalForm
{
    /// <summary>The timestamp layout in bodies: UTC with milliseconds (the precision the stores keep).</summary>
    public const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    public static string Serialize(long sequence, DateTimeOffset time, AuditEvent auditEvent) =>
        Encoding.UTF8.GetString(SerializeToUtf8(sequence, time, auditEvent));

    public static byte[] SerializeToUtf8(long sequence, DateTimeOffset time, AuditEvent auditEvent)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        Write(sequence, time, auditEvent, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Writes the body. The members are written in their RFC 8785 order, which is fixed (the names are fixed ASCII):
    /// action, actor, chain, decision, details, jti, policy_version, reason, request_id, resource, seq, subject,
    /// task_id, time, type. Details keys are sorted by UTF-16 code units.
    /// </summary>
    public static void Write(long sequence, DateTimeOffset time, AuditEvent auditEvent, IBufferWriter<byte> buffer)
    {
        ArgumentNullException.ThrowIfNull(auditEvent);
        ArgumentNullException.ThrowIfNull(buffer);
        var first = true;
        buffer.Write("{"u8);
        Member(buffer, ref first, "\"action\":"u8, auditEvent.Action);
        Member(buffer, ref first, "\"actor\":"u8, auditEvent.Actor);
        if (auditEvent.Chain is { Count: > 0 } chain)
        {
            Chain(buffer, ref first, chain);
        }

        Member(buffer, ref first, "\"decision\":"u8, auditEvent.Decision);
        if (auditEvent.Details is { Count: > 0 } details)
        {
            Name(buffer, ref first, "\"details\":"u8);
            WriteDetails(details, buffer);
        }

        Member(buffer, ref first, "\"jti\":"u8, auditEvent.CredentialId);
        Member(buffer, ref first, "\"policy_version\":"u8, auditEvent.PolicyVersion);
        Member(buffer, ref first, "\"reason\":"u8, auditEvent.Reason);
        Member(buffer, ref first, "\"request_id\":"u8, auditEvent.RequestId);
        Member(buffer, ref first, "\"resource\":"u8, auditEvent.Resource);
        Name(buffer, ref first, "\"seq\":"u8);
        var digits = buffer.GetSpan(20);
        sequence.TryFormat(digits, out var written, default, CultureInfo.InvariantCulture);
        buffer.Advance(written);
        Member(buffer, ref first, "\"subject\":"u8, auditEvent.Subject);
        Member(buffer, ref first, "\"task_id\":"u8, auditEvent.TaskId);
        Name(buffer, ref first, "\"time\":"u8);
        WriteTime(time, buffer);
        Member(buffer, ref first, "\"type\":"u8, auditEvent.Type);
        buffer.Write("}"u8);
    }

    /// <summary>
    /// Rebuilds the body a store row holds (<see cref="AuditRow"/>): the same members in the same order as
    /// <see cref="Write(long, DateTimeOffset, AuditEvent, IBufferWriter{byte})"/>, with the stored details object spliced
    /// in byte for byte. Returns null when written, or why the row cannot be rebuilt (the row was modified).
    /// </summary>
    public static string? TryWrite(AuditRow row, IBufferWriter<byte> buffer)
    {
        ArgumentNullException.ThrowIfNull(row);
        return AuditRow.TryParseChain(row.Chain, out var chain) is { } chainFailure ? chainFailure : TryWrite(row, chain, buffer);
    }

    /// <summary>The body of a row just made from an event (<see cref="AuditRow.From"/>), whose chain is
    /// <paramref name="chain"/>: the writer's path, which need not read its own chain text back.</summary>
    public static void Write(AuditRow row, IReadOnlyList<string>? chain, IBufferWriter<byte> buffer)
    {
        if (TryWrite(row, chain is { Count: > 0 } ? chain : null, buffer) is { } failure)
        {
            throw new ArgumentException(failure, nameof(row));
        }
    }

    private static string? TryWrite(AuditRow row, IReadOnlyList<string>? chain, IBufferWriter<byte> buffer)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(buffer);

        DateTimeOffset time;
        try
        {
            time = row.Time;
        }
        catch (ArgumentOutOfRangeException)
        {
            return "the stored column 'time_ms' is not a valid time: the row was modified";
        }

        var first = true;
        buffer.Write("{"u8);
        Member(buffer, ref first, "\"action\":"u8, row.Action);
        Member(buffer, ref first, "\"actor\":"u8, row.Actor);
        if (chain is not null)
        {
            Chain(buffer, ref first, chain);
        }

        Member(buffer, ref first, "\"decision\":"u8, row.Decision);
        if (row.Details is { } details)
        {
            Name(buffer, ref first, "\"details\":"u8);
            var span = buffer.GetSpan(Encoding.UTF8.GetMaxByteCount(details.Length));
            buffer.Advance(Encoding.UTF8.GetBytes(details, span));
        }

        Member(buffer, ref first, "\"jti\":"u8, row.CredentialId);
        Member(buffer, ref first, "\"policy_version\":"u8, row.PolicyVersion);
        Member(buffer, ref first, "\"reason\":"u8, row.Reason);
        Member(buffer, ref first, "\"request_id\":"u8, row.RequestId);
        Member(buffer, ref first, "\"resource\":"u8, row.Resource);
        Name(buffer, ref first, "\"seq\":"u8);
        var digits = buffer.GetSpan(20);
        row.Sequence.TryFormat(digits, out var written, default, CultureInfo.InvariantCulture);
        buffer.Advance(written);
        Member(buffer, ref first, "\"subject\":"u8, row.Subject);
        Member(buffer, ref first, "\"task_id\":"u8, row.TaskId);
        Name(buffer, ref first, "\"time\":"u8);
        WriteTime(time, buffer);
        Member(buffer, ref first, "\"type\":"u8, row.Type);
        buffer.Write("}"u8);
        return null;
    }

    private static void Chain(IBufferWriter<byte> buffer, ref bool first, IReadOnlyList<string> chain)
    {
        Name(buffer, ref first, "\"chain\":"u8);
        ChainValue(buffer, chain);
    }

    /// <summary>A delegation chain as the body holds it: a JSON array of its members as RFC 8785 strings.</summary>
    internal static void ChainValue(IBufferWriter<byte> buffer, IReadOnlyList<string> chain)
    {
        buffer.Write("["u8);
        for (var i = 0; i < chain.Count; i++)
        {
            if (i > 0)
            {
                buffer.Write(","u8);
            }

            JsonCanonicalizer.WriteString(chain[i], buffer);
        }

        buffer.Write("]"u8);
    }

    private static void Name(IBufferWriter<byte> buffer, ref bool first, ReadOnlySpan<byte> quotedNameAndColon)
    {
        if (!first)
        {
            buffer.Write(","u8);
        }

        first = false;
        buffer.Write(quotedNameAndColon);
    }

    private static void Member(IBufferWriter<byte> buffer, ref bool first, ReadOnlySpan<byte> quotedNameAndColon, string? value)
    {
        if (value is null)
        {
            return;
        }

        Name(buffer, ref first, quotedNameAndColon);
        JsonCanonicalizer.WriteString(value, buffer);
    }

    /// <summary>The details object as the body holds it: keys sorted by UTF-16 code units.</summary>
    internal static void WriteDetails(IReadOnlyDictionary<string, string> details, IBufferWriter<byte> buffer)
    {
        // Once per audited record: the pairs are taken in one enumeration into a pooled array and sorted there with a
        // cached comparison (not the key view's iterators, a key array and a comparer's delegate per record).
        var count = details.Count;
        var pairs = ArrayPool<KeyValuePair<string, string>>.Shared.Rent(count);
        var n = 0;
        try
        {
            if (details is IReadOnlyList<KeyValuePair<string, string>> indexed)
            {
                // A decision's details (DecisionAuditDetails) are indexed: no enumerator object per audited decision.
                for (; n < count; n++)
                {
                    pairs[n] = indexed[n];
                }
            }
            else
            {
                foreach (var pair in details)
                {
                    if (n == count)
                    {
                        throw new InvalidOperationException("The details changed while they were written.");
                    }

                    pairs[n++] = pair;
                }
            }

            var sorted = pairs.AsSpan(0, n);
            sorted.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
            buffer.Write("{"u8);
            for (var i = 0; i < sorted.Length; i++)
            {
                if (i > 0)
                {
                    buffer.Write(","u8);
                }

                JsonCanonicalizer.WriteString(sorted[i].Key, buffer);
                buffer.Write(":"u8);
                JsonCanonicalizer.WriteString(sorted[i].Value, buffer);
            }

            buffer.Write("}"u8);
        }
        finally
        {
            pairs.AsSpan(0, n).Clear();
            ArrayPool<KeyValuePair<string, string>>.Shared.Return(pairs);
        }
    }

    /// <summary>The time as <see cref="TimeFormat"/>, quoted, without a string in between.</summary>
    private static void WriteTime(DateTimeOffset time, IBufferWriter<byte> buffer)
    {
        var span = buffer.GetSpan(32);
        span[0] = (byte)'"';
        time.ToUniversalTime().UtcDateTime.TryFormat(span[1..], out var written, TimeFormat, CultureInfo.InvariantCulture);
        span[written + 1] = (byte)'"';
        buffer.Advance(written + 2);
    }

    public static string FormatTime(DateTimeOffset time) =>
        time.ToUniversalTime().ToString(TimeFormat, CultureInfo.InvariantCulture);

    /// <summary>Reads a body back into its parts. Throws <see cref="FormatException"/> with the reason when it is not an audit body.</summary>
    public static (long Sequence, DateTimeOffset Time, AuditEvent Event) Parse(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("the event body is not a JSON object");
        }

        if (!body.TryGetProperty("seq", out var seqElement) || seqElement.ValueKind != JsonValueKind.Number || !seqElement.TryGetInt64(out var sequence))
        {
            throw new FormatException("the event body has no integer 'seq'");
        }

        if (!body.TryGetProperty("type", out var typeElement) || typeElement.ValueKind != JsonValueKind.String)
        {
            throw new FormatException("the event body has no string 'type'");
        }

        if (!body.TryGetProperty("time", out var timeElement) || timeElement.ValueKind != JsonValueKind.String
            || !DateTimeOffset.TryParseExact(timeElement.GetString(), TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            throw new FormatException("the event body has no 'time' of the form " + TimeFormat);
        }

        List<string>? chain = null;
        if (body.TryGetProperty("chain", out var chainElement))
        {
            if (chainElement.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException("'chain' is not an array");
            }

            chain = [];
            foreach (var item in chainElement.EnumerateArray())
            {
                chain.Add(item.ValueKind == JsonValueKind.String ? item.GetString()! : throw new FormatException("'chain' holds a value that is not a string"));
            }
        }

        Dictionary<string, string>? details = null;
        if (body.TryGetProperty("details", out var detailsElement))
        {
            if (detailsElement.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("'details' is not an object");
            }

            details = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var property in detailsElement.EnumerateObject())
            {
                details[property.Name] = property.Value.ValueKind == JsonValueKind.String
                    ? property.Value.GetString()!
                    : throw new FormatException($"details '{property.Name}' is not a string");
            }
        }

        var auditEvent = new AuditEvent
        {
            Type = typeElement.GetString()!,
            Actor = Text(body, "actor"),
            Subject = Text(body, "subject"),
            Chain = chain,
            Action = Text(body, "action"),
            Resource = Text(body, "resource"),
            Decision = Text(body, "decision"),
            PolicyVersion = Text(body, "policy_version"),
            CredentialId = Text(body, "jti"),
            TaskId = Text(body, "task_id"),
            Reason = Text(body, "reason"),
            RequestId = Text(body, "request_id"),
            Details = details,
        };
        return (sequence, time, auditEvent);
    }

    public static (long Sequence, DateTimeOffset Time, AuditEvent Event) Parse(string canonicalJson)
    {
        using var document = JsonDocument.Parse(canonicalJson);
        return Parse(document.RootElement);
    }

    private static string? Text(JsonElement body, string name)
    {
        if (!body.TryGetProperty(name, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String ? value.GetString() : throw new FormatException($"'{name}' is not a string");
    }
}
