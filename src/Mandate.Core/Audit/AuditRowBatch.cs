using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Unicode;

namespace Mandate.Core.Audit;

/// <summary>
/// Stored ledger rows as a store reads them for a whole-chain verification, in flat arrays: the integers, one
/// <see cref="AuditLookupEntry"/> per looked-up field (resolved once per id by the store), the text columns as UTF-8
/// and the stored hash bytes, nothing per row on the heap. <see cref="CheckRanges"/> rebuilds each row's canonical body
/// straight from these bytes and hashes it; a row it cannot vouch for (any hash mismatch, a missing or odd lookup
/// entry, text that is not valid UTF-8, an impossible time) is left to the one-row path
/// (<see cref="ToStoredRecord"/> and <see cref="AuditChainVerifier.Prepare"/>), which decides and words the failure
/// exactly as it always has. So this is only ever a faster way to say "verified", never a different verdict.
/// </summary>
internal sealed class AuditRowBatch
{
    /// <summary>The looked-up fields, in the order a row reports a missing entry: type, actor, subject, action, chain,
    /// policy version.</summary>
    public const int LookupFields = 6;

    /// <summary>The text columns: resource, decision, jti, task_id, request_id, reason, details.</summary>
    public const int TextFields = 7;

    public const int Type = 0, Actor = 1, Subject = 2, Action = 3, Chain = 4, PolicyVersion = 5;

    public const int Resource = 0, Decision = 1, CredentialId = 2, TaskId = 3, RequestId = 4, Reason = 5, Details = 6;

    private static readonly string[] LookupRoles = ["type", "actor", "subject", "action", "chain", "policy_version"];

    private readonly long[] sequences;
    private readonly long[] times;
    private readonly AuditLookupEntry?[] lookups;
    private readonly int[] textStart;
    private readonly int[] textLength;
    private readonly int[] hashStart;
    private readonly int[] hashLength;
    private readonly byte[] leaves;
    private readonly bool[] vouched;
    private byte[] text;
    private int textUsed;
    private byte[] hashes;
    private int hashUsed;

    public AuditRowBatch(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        sequences = new long[capacity];
        times = new long[capacity];
        lookups = new AuditLookupEntry?[capacity * LookupFields];
        textStart = new int[capacity * TextFields];
        textLength = new int[capacity * TextFields];
        hashStart = new int[capacity];
        hashLength = new int[capacity];
        leaves = new byte[capacity * SHA256.HashSizeInBytes];
        vouched = new bool[capacity];
        text = new byte[capacity * 128];
        hashes = new byte[capacity * SHA256.HashSizeInBytes];
    }

    public int Capacity { get; }

    public int Count { get; private set; }

    public bool IsFull => Count == Capacity;

    /// <summary>The hash before the first row, as the chain writes it (lower-case hex): the genesis hash, the stored
    /// hash of the row before, or empty when that row is missing.</summary>
    public string FirstPreviousHash { get; set; } = string.Empty;

    public void Clear()
    {
        Count = 0;
        textUsed = 0;
        hashUsed = 0;
        FirstPreviousHash = string.Empty;
    }

    // The store's side: a row is begun, its fields set, and ended.
    public void BeginRow(long sequence, long timeMilliseconds)
    {
        if (IsFull)
        {
            throw new InvalidOperationException("The batch is full.");
        }

        sequences[Count] = sequence;
        times[Count] = timeMilliseconds;
        Array.Clear(lookups, Count * LookupFields, LookupFields);
        Array.Fill(textLength, -1, Count * TextFields, TextFields);
        hashLength[Count] = 0;
    }

    /// <summary>The entry a looked-up field refers to; not called (left null) when the column is NULL.</summary>
    public void SetLookup(int field, AuditLookupEntry entry) => lookups[(Count * LookupFields) + field] = entry;

    public void SetText(int field, ReadOnlySpan<byte> utf8)
    {
        EnsureText(utf8.Length);
        utf8.CopyTo(text.AsSpan(textUsed));
        textStart[(Count * TextFields) + field] = textUsed;
        textLength[(Count * TextFields) + field] = utf8.Length;
        textUsed += utf8.Length;
    }

    public void SetText(int field, string? value)
    {
        if (value is null)
        {
            return;
        }

        EnsureText(Encoding.UTF8.GetMaxByteCount(value.Length));
        var length = Encoding.UTF8.GetBytes(value, text.AsSpan(textUsed));
        textStart[(Count * TextFields) + field] = textUsed;
        textLength[(Count * TextFields) + field] = length;
        textUsed += length;
    }

    public void SetHash(ReadOnlySpan<byte> hash)
    {
        if (hashUsed + hash.Length > hashes.Length)
        {
            Array.Resize(ref hashes, Math.Max(hashes.Length * 2, hashUsed + hash.Length));
        }

        hash.CopyTo(hashes.AsSpan(hashUsed));
        hashStart[Count] = hashUsed;
        hashLength[Count] = hash.Length;
        hashUsed += hash.Length;
    }

    public void EndRow() => Count++;

    private void EnsureText(int more)
    {
        if (textUsed + more > text.Length)
        {
            Array.Resize(ref text, Math.Max(text.Length * 2, textUsed + more));
        }
    }

    // The verifier's side.
    public long Sequence(int row) => sequences[row];

    public ReadOnlySpan<byte> StoredHash(int row) => hashes.AsSpan(hashStart[row], hashLength[row]);

    /// <summary>Whether <see cref="CheckRanges"/> vouched for the row: its rebuilt body hashes, over the hash before it, to its
    /// stored hash. Its Merkle leaf is then <see cref="LeafHash"/>.</summary>
    public bool Vouched(int row) => vouched[row];

    public ReadOnlySpan<byte> LeafHash(int row) => leaves.AsSpan(row * SHA256.HashSizeInBytes, SHA256.HashSizeInBytes);

    /// <summary>The hash before <paramref name="row"/> as the chain writes it.</summary>
    public string PreviousHash(int row) => row == 0 ? FirstPreviousHash : Convert.ToHexStringLower(StoredHash(row - 1));

    /// <summary>
    /// The record the one-row read (<see cref="IAuditRepository.ReadAsync"/>) returns for this row: the same strings
    /// (text decoded as the drivers decode it), the same failure when a lookup entry is missing or the type is absent.
    /// </summary>
    public StoredAuditRecord ToStoredRecord(int row)
    {
        var sequence = sequences[row];
        var previous = PreviousHash(row);
        var hash = Convert.ToHexStringLower(StoredHash(row));
        string? missing = null;
        var values = new string?[LookupFields];
        for (var field = 0; field < LookupFields; field++)
        {
            if (lookups[(row * LookupFields) + field] is not { } entry)
            {
                continue;
            }

            values[field] = entry.Value;
            if (entry.Value is null)
            {
                missing ??= $"the row refers to entry {entry.Id.ToString(CultureInfo.InvariantCulture)} of audit_strings for its '{LookupRoles[field]}', which is missing: the lookup table was modified";
            }
        }

        if (missing is null && values[Type] is null)
        {
            missing = "the row has no type: the row was modified";
        }

        if (missing is not null)
        {
            return StoredAuditRecord.Unreadable(sequence, previous, hash, missing);
        }

        string? Text(int field)
        {
            var length = textLength[(row * TextFields) + field];
            return length < 0 ? null : Encoding.UTF8.GetString(text, textStart[(row * TextFields) + field], length);
        }

        var auditRow = new AuditRow(
            sequence,
            times[row],
            values[Type]!,
            values[Actor],
            values[Subject],
            values[Action],
            Text(Resource),
            Text(Decision),
            Text(CredentialId),
            Text(TaskId),
            Text(RequestId),
            values[Chain],
            values[PolicyVersion],
            Text(Reason),
            Text(Details));
        return new StoredAuditRecord(auditRow, previous, hash);
    }

    /// <summary>Rows a checker takes at a time from <see cref="CheckRanges"/>.</summary>
    private const int RangeSize = 64;

    private int nextRange;

    /// <summary>Makes every row of the batch available to <see cref="CheckRanges"/> (call before handing it out).</summary>
    public void BeginCheck() => Volatile.Write(ref nextRange, 0);

    /// <summary>
    /// Checks rows until none is left unclaimed, ranges of <see cref="RangeSize"/> at a time: any number of threads may
    /// run it at once, so a reader that finished the next batch helps the checkers finish this one instead of waiting.
    /// Sets <see cref="Vouched"/> and <see cref="LeafHash"/>; pure: it reads nothing outside the batch and its entries.
    /// </summary>
    public void CheckRanges()
    {
        var buffer = ArrayPool<byte>.Shared.Rent(2048);
        try
        {
            int start;
            while ((start = Interlocked.Add(ref nextRange, RangeSize) - RangeSize) < Count)
            {
                var end = Math.Min(Count, start + RangeSize);
                for (var row = start; row < end; row++)
                {
                    vouched[row] = CheckRow(row, ref buffer);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Checks every row on the calling thread.</summary>
    public void Check()
    {
        BeginCheck();
        CheckRanges();
    }

    /// <summary>Lowest and highest time a stored row may hold (what <see cref="DateTimeOffset.FromUnixTimeMilliseconds"/> accepts).</summary>
    private const long MinTime = -62_135_596_800_000, MaxTime = 253_402_300_799_999;

    private const int HexLength = 2 * SHA256.HashSizeInBytes;

    private bool CheckRow(int row, ref byte[] buffer)
    {
        var lookupBase = row * LookupFields;
        var textBase = row * TextFields;
        if (hashLength[row] != SHA256.HashSizeInBytes || times[row] is < MinTime or > MaxTime || lookups[lookupBase + Type] is null)
        {
            return false;
        }

        // The most a body can take: the members' names and punctuation, each token, each text escaped at worst (6 bytes
        // for one), the details as stored.
        var bound = HexLength + 1 + 320;
        for (var field = 0; field < LookupFields; field++)
        {
            if (lookups[lookupBase + field] is { } entry)
            {
                if ((field == Chain ? entry.Chain : entry.Token) is not { } rendering)
                {
                    return false;
                }

                bound += rendering.Length;
            }
        }

        for (var field = 0; field < TextFields; field++)
        {
            var length = textLength[textBase + field];
            if (length > 0 && !Utf8.IsValid(text.AsSpan(textStart[textBase + field], length)))
            {
                return false;
            }

            bound += Math.Max(0, length) * 6;
        }

        if (buffer.Length < bound)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = ArrayPool<byte>.Shared.Rent(bound);
        }

        // The chain hash's input is the previous hash in hex, a line feed and the body: written in place, in front.
        var output = buffer.AsSpan();
        if (row == 0)
        {
            if (FirstPreviousHash.Length != HexLength || Encoding.ASCII.GetBytes(FirstPreviousHash, output) != HexLength)
            {
                return false;
            }
        }
        else if (hashLength[row - 1] != SHA256.HashSizeInBytes)
        {
            return false;
        }
        else
        {
            WriteHex(StoredHash(row - 1), output);
        }

        output[HexLength] = (byte)'\n';
        var at = HexLength + 1;
        var first = true;
        output[at++] = (byte)'{';
        Token(output, ref at, ref first, "\"action\":"u8, lookups[lookupBase + Action]?.Token);
        Token(output, ref at, ref first, "\"actor\":"u8, lookups[lookupBase + Actor]?.Token);
        Token(output, ref at, ref first, "\"chain\":"u8, lookups[lookupBase + Chain]?.Chain);
        Text(output, ref at, ref first, "\"decision\":"u8, textBase + Decision);
        if (textLength[textBase + Details] >= 0)
        {
            Name(output, ref at, ref first, "\"details\":"u8);
            text.AsSpan(textStart[textBase + Details], textLength[textBase + Details]).CopyTo(output[at..]);
            at += textLength[textBase + Details];
        }

        Text(output, ref at, ref first, "\"jti\":"u8, textBase + CredentialId);
        Token(output, ref at, ref first, "\"policy_version\":"u8, lookups[lookupBase + PolicyVersion]?.Token);
        Text(output, ref at, ref first, "\"reason\":"u8, textBase + Reason);
        Text(output, ref at, ref first, "\"request_id\":"u8, textBase + RequestId);
        Text(output, ref at, ref first, "\"resource\":"u8, textBase + Resource);
        Name(output, ref at, ref first, "\"seq\":"u8);
        sequences[row].TryFormat(output[at..], out var written, default, CultureInfo.InvariantCulture);
        at += written;
        Token(output, ref at, ref first, "\"subject\":"u8, lookups[lookupBase + Subject]?.Token);
        Text(output, ref at, ref first, "\"task_id\":"u8, textBase + TaskId);
        Name(output, ref at, ref first, "\"time\":"u8);
        at += WriteTime(times[row], output[at..]);
        Token(output, ref at, ref first, "\"type\":"u8, lookups[lookupBase + Type]!.Token);
        output[at++] = (byte)'}';

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(output[..at], hash);
        if (!hash.SequenceEqual(StoredHash(row)))
        {
            return false;
        }

        // The Merkle leaf is SHA-256(0x00 || body): the byte before the body becomes the prefix.
        output[HexLength] = 0x00;
        SHA256.HashData(output[HexLength..at], leaves.AsSpan(row * SHA256.HashSizeInBytes, SHA256.HashSizeInBytes));
        return true;
    }

    private static void Name(Span<byte> output, ref int at, ref bool first, ReadOnlySpan<byte> quotedNameAndColon)
    {
        if (!first)
        {
            output[at++] = (byte)',';
        }

        first = false;
        quotedNameAndColon.CopyTo(output[at..]);
        at += quotedNameAndColon.Length;
    }

    private static void Token(Span<byte> output, ref int at, ref bool first, ReadOnlySpan<byte> quotedNameAndColon, byte[]? token)
    {
        if (token is null)
        {
            return;
        }

        Name(output, ref at, ref first, quotedNameAndColon);
        token.CopyTo(output[at..]);
        at += token.Length;
    }

    /// <summary>A text column as a JSON string, escaped as RFC 8785 (JSON.stringify) escapes: '"', '\' and the control
    /// characters, which in valid UTF-8 are single bytes that no other character's encoding contains.</summary>
    private void Text(Span<byte> output, ref int at, ref bool first, ReadOnlySpan<byte> quotedNameAndColon, int slot)
    {
        var length = textLength[slot];
        if (length < 0)
        {
            return;
        }

        Name(output, ref at, ref first, quotedNameAndColon);
        var value = text.AsSpan(textStart[slot], length);
        output[at++] = (byte)'"';
        var special = value.IndexOfAny(Escaped);
        while (special >= 0)
        {
            value[..special].CopyTo(output[at..]);
            at += special;
            var c = value[special];
            ReadOnlySpan<byte> escape = c switch
            {
                (byte)'"' => "\\\""u8,
                (byte)'\\' => "\\\\"u8,
                (byte)'\b' => "\\b"u8,
                (byte)'\f' => "\\f"u8,
                (byte)'\n' => "\\n"u8,
                (byte)'\r' => "\\r"u8,
                (byte)'\t' => "\\t"u8,
                _ => default,
            };
            if (escape.IsEmpty)
            {
                "\\u00"u8.CopyTo(output[at..]);
                output[at + 4] = HexDigit(c >> 4);
                output[at + 5] = HexDigit(c & 0xF);
                at += 6;
            }
            else
            {
                escape.CopyTo(output[at..]);
                at += escape.Length;
            }

            value = value[(special + 1)..];
            special = value.IndexOfAny(Escaped);
        }

        value.CopyTo(output[at..]);
        at += value.Length;
        output[at++] = (byte)'"';
    }

    private static readonly SearchValues<byte> Escaped = SearchValues.Create([.. Enumerable.Range(0, 0x20).Select(b => (byte)b), (byte)'"', (byte)'\\']);

    /// <summary>
    /// The time as the body writes it (<see cref="AuditCanonicalForm.TimeFormat"/>, quoted), digit by digit: formatting
    /// through the format string cost as much as everything else in the body. The tests hold it
    /// to the format string's output.
    /// </summary>
    internal static int WriteTime(long milliseconds, Span<byte> output)
    {
        var time = DateTimeOffset.FromUnixTimeMilliseconds(milliseconds).UtcDateTime;
        var (year, month, day) = time;
        output[0] = (byte)'"';
        Digits(output, 1, year, 4);
        output[5] = (byte)'-';
        Digits(output, 6, month, 2);
        output[8] = (byte)'-';
        Digits(output, 9, day, 2);
        output[11] = (byte)'T';
        Digits(output, 12, time.Hour, 2);
        output[14] = (byte)':';
        Digits(output, 15, time.Minute, 2);
        output[17] = (byte)':';
        Digits(output, 18, time.Second, 2);
        output[20] = (byte)'.';
        Digits(output, 21, time.Millisecond, 3);
        output[24] = (byte)'Z';
        output[25] = (byte)'"';
        return 26;
    }

    private static void Digits(Span<byte> output, int at, int value, int count)
    {
        for (var i = at + count - 1; i >= at; i--)
        {
            output[i] = (byte)('0' + (value % 10));
            value /= 10;
        }
    }

    private static byte HexDigit(int value) => (byte)(value < 10 ? '0' + value : 'a' + value - 10);

    private static void WriteHex(ReadOnlySpan<byte> bytes, Span<byte> output)
    {
        for (var i = 0; i < bytes.Length; i++)
        {
            output[2 * i] = HexDigit(bytes[i] >> 4);
            output[(2 * i) + 1] = HexDigit(bytes[i] & 0xF);
        }
    }
}
