using System.Buffers;
using System.Text;
using System.Text.Json;
using Mandate.Core.Audit.Canonical;

namespace Mandate.Core.Audit;

/// <summary>
/// One ledger event as a store keeps it: the fields of the canonical body, each once, from which
/// <see cref="AuditCanonicalForm.TryWrite(AuditRow, IBufferWriter{byte})"/> rebuilds the exact bytes that were hashed.
/// <see cref="From"/> is the one definition of what each field holds, used to write a row; rebuilding is its inverse,
/// and verification hashes the rebuilt bytes, so a field edited anywhere (a column, a lookup entry) fails the hash.
/// <c>Chain</c> holds the delegation chain as a JSON array of strings in <see cref="ChainText"/> form (identity
/// queries match a quoted element in it); <c>Details</c> holds the details object exactly as it appears in the body
/// (RFC 8785), so it is spliced into the rebuilt body byte for byte.
/// </summary>
internal sealed record AuditRow(
    long Sequence,
    long TimeMilliseconds,
    string Type,
    string? Actor,
    string? Subject,
    string? Action,
    string? Resource,
    string? Decision,
    string? CredentialId,
    string? TaskId,
    string? RequestId,
    string? Chain,
    string? PolicyVersion,
    string? Reason,
    string? Details)
{
    public static AuditRow From(long sequence, DateTimeOffset time, AuditEvent auditEvent)
    {
        ArgumentNullException.ThrowIfNull(auditEvent);
        var e = auditEvent;
        return new AuditRow(
            sequence,
            time.ToUnixTimeMilliseconds(),
            e.Type,
            e.Actor,
            e.Subject,
            e.Action,
            e.Resource,
            e.Decision,
            e.CredentialId,
            e.TaskId,
            e.RequestId,
            ChainText(e.Chain),
            e.PolicyVersion,
            e.Reason,
            DetailsText(e.Details));
    }

    public DateTimeOffset Time => DateTimeOffset.FromUnixTimeMilliseconds(TimeMilliseconds);

    /// <summary>How a chain is stored; an identity query looks for <see cref="ChainElement"/> inside it.</summary>
    public static string? ChainText(IReadOnlyList<string>? chain) => chain is { Count: > 0 } ? JsonSerializer.Serialize(chain) : null;

    /// <summary>One identity as it appears inside <see cref="ChainText"/> (same encoder, so the same escapes).</summary>
    public static string ChainElement(string identity) => JsonSerializer.Serialize(identity);

    /// <summary>The details object as the canonical body holds it (keys sorted by UTF-16 code units); null when empty.</summary>
    public static string? DetailsText(IReadOnlyDictionary<string, string>? details)
    {
        if (details is not { Count: > 0 })
        {
            return null;
        }

        // Once per audited decision: the bytes go through one buffer per thread (the call never yields), only the text is new.
        var buffer = DetailsBuffer ??= new ArrayBufferWriter<byte>(256);
        buffer.ResetWrittenCount();
        AuditCanonicalForm.WriteDetails(details, buffer);
        var text = Encoding.UTF8.GetString(buffer.WrittenSpan);
        if (buffer.Capacity > MaxKeptBuffer)
        {
            DetailsBuffer = null;
        }

        return text;
    }

    // A rare huge details object does not stay pinned to a thread.
    private const int MaxKeptBuffer = 16 * 1024;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? DetailsBuffer;

    /// <summary>
    /// The chain parsed from its stored text, or the reason it cannot be: it must be a non-empty array of strings,
    /// written exactly as <see cref="ChainText"/> writes it (an equivalent spelling would hide the event from an
    /// identity query while hashing the same, so it counts as a modified row).
    /// </summary>
    public static string? TryParseChain(string? text, out IReadOnlyList<string>? chain)
    {
        chain = null;
        if (text is null)
        {
            return null;
        }

        string[]? parsed;
        try
        {
            parsed = JsonSerializer.Deserialize<string[]>(text);
        }
        catch (JsonException)
        {
            return "the stored column 'chain' is not a JSON array of strings: the row was modified";
        }

        if (parsed is not { Length: > 0 } || parsed.Any(p => p is null) || !string.Equals(ChainText(parsed), text, StringComparison.Ordinal))
        {
            return "the stored column 'chain' is not written as the ledger writes it: the row was modified";
        }

        chain = parsed;
        return null;
    }

    /// <summary>The event this row holds. Throws <see cref="FormatException"/> when a stored field cannot be read back.</summary>
    public AuditEvent ToEvent()
    {
        if (TryParseChain(Chain, out var chain) is { } failure)
        {
            throw new FormatException(failure);
        }

        Dictionary<string, string>? details = null;
        if (Details is not null)
        {
            try
            {
                using var document = JsonDocument.Parse(Details);
                details = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    details[property.Name] = property.Value.GetString() ?? throw new FormatException($"details '{property.Name}' is not a string");
                }
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException)
            {
                throw new FormatException("the stored column 'details' is not a JSON object of strings: the row was modified", ex);
            }
        }

        return new AuditEvent
        {
            Type = Type,
            Actor = Actor,
            Subject = Subject,
            Chain = chain,
            Action = Action,
            Resource = Resource,
            Decision = Decision,
            PolicyVersion = PolicyVersion,
            CredentialId = CredentialId,
            TaskId = TaskId,
            Reason = Reason,
            RequestId = RequestId,
            Details = details,
        };
    }

    /// <summary>The canonical body rebuilt from this row, as text; throws <see cref="FormatException"/> when it cannot be.</summary>
    public string Body()
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        if (AuditCanonicalForm.TryWrite(this, buffer) is { } failure)
        {
            throw new FormatException(failure);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
