using System.Globalization;
using System.Text;
using Mandate.Core.Audit.Canonical;

namespace Mandate.Core.Audit;

/// <summary>
/// A signed statement that events <see cref="FromSequence"/>..<see cref="ToSequence"/> have the Merkle tree head
/// <see cref="RootHash"/> and that the chain hash after <see cref="ToSequence"/> is <see cref="ChainHash"/>.
/// The signature (ES256, IEEE P1363 r||s, base64url) covers <c>SigningInput()</c>.
/// </summary>
internal sealed record AuditCheckpoint(
    long FromSequence,
    long ToSequence,
    string RootHash,
    string ChainHash,
    DateTimeOffset Time,
    string KeyId,
    string Algorithm,
    string Signature)
{
    public const string PayloadType = "mandate.audit.checkpoint.v1";

    public long TreeSize => ToSequence - FromSequence + 1;

    /// <summary>The canonical JSON (RFC 8785) that is signed.</summary>
    public static byte[] SigningInput(long from, long to, string rootHash, string chainHash, DateTimeOffset time, string keyId, string algorithm)
    {
        var json = new StringBuilder();
        json.Append("{\"alg\":");
        AppendString(json, algorithm);
        json.Append(",\"chain_hash\":");
        AppendString(json, chainHash);
        json.Append(",\"from\":").Append(from.ToString(CultureInfo.InvariantCulture));
        json.Append(",\"kid\":");
        AppendString(json, keyId);
        json.Append(",\"root\":");
        AppendString(json, rootHash);
        json.Append(",\"time\":");
        AppendString(json, AuditCanonicalForm.FormatTime(time));
        json.Append(",\"to\":").Append(to.ToString(CultureInfo.InvariantCulture));
        json.Append(",\"tree_size\":").Append((to - from + 1).ToString(CultureInfo.InvariantCulture));
        json.Append(",\"type\":");
        AppendString(json, PayloadType);
        json.Append('}');
        return Encoding.UTF8.GetBytes(json.ToString());
    }

    public byte[] SigningInput() => SigningInput(FromSequence, ToSequence, RootHash, ChainHash, Time, KeyId, Algorithm);

    private static void AppendString(StringBuilder json, string value)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        JsonCanonicalizer.WriteString(value, buffer);
        json.Append(Encoding.UTF8.GetString(buffer.WrittenSpan));
    }
}
