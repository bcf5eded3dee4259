using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Mandate.Core.Governance.Findings;

/// <summary>
/// A hash of what a finding says (kind, severity, identity, owner, summary, evidence, remediation): a recompute
/// rewrites a stored finding only when its digest differs, so an unchanged estate costs no writes.
/// </summary>
/// <remarks>
/// <para>
/// The hashed text is each field length-prefixed (<c>LENGTH:VALUE;</c>, the length in UTF-16 code units, <c>-;</c> for
/// none), so no two different field lists join into the same text; it is written as UTF-8 straight into one pooled
/// buffer (a recompute digests every finding), which gives the bytes the text would encode to.
/// </para>
/// <para>
/// The digest is the first 8 bytes of the SHA-256 of that text, as a big-endian signed integer (until migration 0632 it
/// was the first 16 bytes as hex text; the integer is the first half of that text's value). It only tells whether one
/// finding's content changed since its own last write (the finding is found by id, its status by the rules): a changed
/// finding is missed only if its new content's digest equals its old one's, a chance of 2^-64 for each change (one in
/// 10^10 after a million changes a day for fifty years), and even then what is missed is a newer summary or evidence
/// text, never a finding opening, resolving or reopening. Making a collision on purpose means finding a second
/// preimage of a 64-bit truncation of SHA-256 for one stored finding, about 2^64 hashes.
/// </para>
/// </remarks>
internal static class FindingDigest
{
    public static long Of(Finding finding)
    {
        ArgumentNullException.ThrowIfNull(finding);
        var size = Bound(finding.Kind) + Bound(finding.Severity) + Bound(finding.Source) + Bound(finding.Identity) + Bound(finding.Owner)
            + Bound(finding.Summary) + Bound(finding.Remediation);
        foreach (var e in finding.Evidence)
        {
            size += Bound(e.Kind) + 24 + Bound(e.Name) + Bound(e.Value) + Bound(e.Source) + Bound(e.Id);
        }

        var buffer = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            var at = 0;
            Append(buffer, ref at, finding.Kind);
            Append(buffer, ref at, finding.Severity);
            Append(buffer, ref at, finding.Source);
            Append(buffer, ref at, finding.Identity);
            Append(buffer, ref at, finding.Owner);
            Append(buffer, ref at, finding.Summary);
            Append(buffer, ref at, finding.Remediation);
            Span<byte> number = stackalloc byte[20];
            foreach (var e in finding.Evidence)
            {
                Append(buffer, ref at, e.Kind);
                if (e.Sequence is { } sequence)
                {
                    Utf8Formatter.TryFormat(sequence, number, out var written);
                    Prefix(buffer, ref at, written);
                    number[..written].CopyTo(buffer.AsSpan(at));
                    at += written;
                    buffer[at++] = (byte)';';
                }
                else
                {
                    Append(buffer, ref at, null);
                }

                Append(buffer, ref at, e.Name);
                Append(buffer, ref at, e.Value);
                Append(buffer, ref at, e.Source);
                Append(buffer, ref at, e.Id);
            }

            Span<byte> hash = stackalloc byte[32];
            SHA256.HashData(buffer.AsSpan(0, at), hash);
            return BinaryPrimitives.ReadInt64BigEndian(hash);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    // The most one field can take: its UTF-8 bytes, a length of at most 11 digits, ':' and ';'.
    private static int Bound(string? value) => value is null ? 2 : Encoding.UTF8.GetMaxByteCount(value.Length) + 13;

    private static void Append(byte[] buffer, ref int at, string? value)
    {
        if (value is null)
        {
            buffer[at++] = (byte)'-';
            buffer[at++] = (byte)';';
            return;
        }

        Prefix(buffer, ref at, value.Length);
        at += Encoding.UTF8.GetBytes(value, buffer.AsSpan(at));
        buffer[at++] = (byte)';';
    }

    private static void Prefix(byte[] buffer, ref int at, int length)
    {
        Utf8Formatter.TryFormat(length, buffer.AsSpan(at), out var written);
        at += written;
        buffer[at++] = (byte)':';
    }
}
