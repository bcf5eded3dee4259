namespace Mandate.Core.Audit;

/// <summary>
/// A row of the audit chain as read back, for verification, export and proofs. A store keeps the body's fields once
/// (<see cref="Row"/>) and the body is rebuilt from them; an export (or a test) gives the body as text instead.
/// <see cref="PreviousHash"/> is the hash of the row before (a store keeps no copy of it: empty when that row is
/// missing), <see cref="Hash"/> the row's own stored hash.
/// </summary>
internal sealed class StoredAuditRecord
{
    private string? canonicalJson;

    /// <summary>A record whose body is given as text (an export, a test).</summary>
    public StoredAuditRecord(long sequence, string canonicalJson, string previousHash, string hash)
    {
        Sequence = sequence;
        this.canonicalJson = canonicalJson;
        PreviousHash = previousHash;
        Hash = hash;
    }

    /// <summary>A record read from a store: its body is rebuilt from <paramref name="row"/> when asked for.</summary>
    public StoredAuditRecord(AuditRow row, string previousHash, string hash)
    {
        ArgumentNullException.ThrowIfNull(row);
        Sequence = row.Sequence;
        Row = row;
        PreviousHash = previousHash;
        Hash = hash;
    }

    private StoredAuditRecord(long sequence, string previousHash, string hash, string? canonicalJson, string rowFailure)
    {
        Sequence = sequence;
        PreviousHash = previousHash;
        Hash = hash;
        this.canonicalJson = canonicalJson;
        RowFailure = rowFailure;
    }

    /// <summary>A stored row that cannot even be read as an event (a lookup entry it refers to is missing).</summary>
    public static StoredAuditRecord Unreadable(long sequence, string previousHash, string hash, string rowFailure) =>
        new(sequence, previousHash, hash, null, rowFailure);

    public long Sequence { get; }

    public string PreviousHash { get; }

    public string Hash { get; }

    /// <summary>The fields as stored, when read from a store.</summary>
    public AuditRow? Row { get; }

    /// <summary>Why the stored row cannot be read at all (verification reports it at this event).</summary>
    public string? RowFailure { get; }

    /// <summary>The canonical body (the bytes that were hashed, as text). Throws <see cref="FormatException"/> when a
    /// store row cannot be rebuilt (it was modified; verification says where and how).</summary>
    public string CanonicalJson => canonicalJson ??= RowFailure is { } failure ? throw new FormatException(failure) : Row!.Body();
}
