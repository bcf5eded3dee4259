using System.Text.Json;

namespace Mandate.Core.Audit;

/// <summary>
/// Evidence that one event is in the ledger, checkable offline with only a checkpoint public key: the event's body,
/// its place in the chain, the RFC 9162 audit path from its leaf to the Merkle root of the signed checkpoint that
/// covers it, and that checkpoint. It proves the event without handing over the rest of the log.
/// </summary>
internal sealed record AuditInclusionProof(
    long Sequence,
    string CanonicalJson,
    string PreviousHash,
    string Hash,
    IReadOnlyList<string> AuditPath,
    AuditCheckpoint Checkpoint,
    IReadOnlyList<AuditPublicKey> Keys)
{
    public const string Format = "mandate.audit.inclusion_proof";
    public const int FormatVersion = 1;

    /// <summary>The event's leaf index in the checkpoint's tree.</summary>
    public long LeafIndex => Sequence - Checkpoint.FromSequence;

    public void WriteJson(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteString("format", Format);
        writer.WriteNumber("version", FormatVersion);
        writer.WriteNumber("seq", Sequence);
        writer.WritePropertyName("event");
        using (var body = JsonDocument.Parse(CanonicalJson))
        {
            body.RootElement.WriteTo(writer);
        }

        writer.WriteString("prev_hash", PreviousHash);
        writer.WriteString("hash", Hash);
        writer.WriteNumber("leaf_index", LeafIndex);
        writer.WriteNumber("tree_size", Checkpoint.TreeSize);
        writer.WriteStartArray("audit_path");
        foreach (var node in AuditPath)
        {
            writer.WriteStringValue(node);
        }

        writer.WriteEndArray();
        writer.WritePropertyName("checkpoint");
        AuditExport.WriteCheckpoint(writer, Checkpoint);
        writer.WriteStartArray("keys");
        foreach (var key in Keys)
        {
            key.WriteJwk(writer);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>Reads a proof document. Throws <see cref="FormatException"/> naming the member that is wrong.</summary>
    public static AuditInclusionProof Parse(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("the proof is not a JSON object");
        }

        if (AuditExport.Text(root, "format") != Format || AuditExport.Number(root, "version") != FormatVersion)
        {
            throw new FormatException($"the document is not a {Format} version {FormatVersion}");
        }

        if (!root.TryGetProperty("event", out var body) || body.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("'event' is missing or not an object");
        }

        if (!root.TryGetProperty("audit_path", out var pathElement) || pathElement.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException("'audit_path' is missing or not an array");
        }

        var path = new List<string>();
        foreach (var node in pathElement.EnumerateArray())
        {
            path.Add(node.ValueKind == JsonValueKind.String ? node.GetString()! : throw new FormatException("'audit_path' holds a value that is not a string"));
        }

        if (!root.TryGetProperty("checkpoint", out var checkpoint) || checkpoint.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("'checkpoint' is missing or not an object");
        }

        var keys = new List<AuditPublicKey>();
        if (root.TryGetProperty("keys", out var keyArray) && keyArray.ValueKind == JsonValueKind.Array)
        {
            foreach (var jwk in keyArray.EnumerateArray())
            {
                keys.Add(AuditPublicKey.FromJwk(jwk));
            }
        }

        string canonical;
        try
        {
            canonical = Canonical.JsonCanonicalizer.CanonicalizeToString(body);
        }
        catch (Canonical.JsonCanonicalizationException ex)
        {
            throw new FormatException("the event cannot be canonicalized: " + ex.Message, ex);
        }

        var proof = new AuditInclusionProof(
            AuditExport.Number(root, "seq"),
            canonical,
            AuditExport.Text(root, "prev_hash"),
            AuditExport.Text(root, "hash"),
            path,
            AuditExport.ReadCheckpoint(checkpoint),
            keys);
        if (AuditExport.Number(root, "leaf_index") != proof.LeafIndex || AuditExport.Number(root, "tree_size") != proof.Checkpoint.TreeSize)
        {
            throw new FormatException("'leaf_index' or 'tree_size' does not match the event's place in the checkpoint");
        }

        return proof;
    }
}
