using System.Collections.Concurrent;

namespace Mandate.Core.Credentials;

/// <summary>
/// Revoked <c>jti</c>s in memory. Mandate's own (compact) <c>jti</c>s live in an open-addressing table of 16-byte keys
/// (about 21 bytes per entry at the 0.75 load factor); any other <c>jti</c> lives in a string dictionary. Readers never
/// lock: a slot's high word is written before its low word is published with a release store, and readers load the low
/// word with an acquire load first, so a reader sees either an empty slot or a whole key. Writers are serialized.
/// <para>
/// A full reload (<see cref="Replace"/>) builds the new table from a store snapshot, which may predate revocations
/// added meanwhile: by <see cref="RevocationService"/> before its commit, or by a notification or poll while the
/// snapshot was read. So every <c>jti</c> added is also remembered as pending until a snapshot lists it, and each
/// replace carries the pending ones over; a pending <c>jti</c> no snapshot confirms within
/// <see cref="PendingRetention"/> (its transaction rolled back, or the credential expired) is dropped. A revoked
/// <c>jti</c> therefore never reads as valid again.
/// </para>
/// </summary>
internal sealed class RevocationSet(TimeProvider? time = null) : IRevocationSet
{
    /// <summary>How long a revocation no store snapshot has listed yet is kept (well beyond any transaction and a full-reload interval).</summary>
    public static readonly TimeSpan PendingRetention = TimeSpan.FromMinutes(30);

    private readonly TimeProvider clock = time ?? TimeProvider.System;
    private readonly Lock writeLock = new();
    private readonly Dictionary<string, DateTimeOffset> pending = new(StringComparer.Ordinal);
    private volatile KeyTable table = new(1024);
    private volatile ConcurrentDictionary<string, byte> foreign = new(StringComparer.Ordinal);

    private long epoch;

    public int Count => table.Count + foreign.Count;

    public long Epoch => Interlocked.Read(ref epoch);

    public bool IsRevoked(string jti)
    {
        ArgumentNullException.ThrowIfNull(jti);
        if (CompactJti.TryParse(jti, out var low, out var high))
        {
            return table.Contains(low, high);
        }

        var other = foreign;
        return !other.IsEmpty && other.ContainsKey(jti);
    }

    public void Add(IEnumerable<string> jtis)
    {
        ArgumentNullException.ThrowIfNull(jtis);
        lock (writeLock)
        {
            var now = clock.GetUtcNow();
            var added = false;
            foreach (var jti in jtis)
            {
                added |= AddLocked(jti);
                pending[jti] = now;
            }

            if (added)
            {
                Interlocked.Increment(ref epoch);
            }
        }
    }

    public void Replace(IEnumerable<string> jtis)
    {
        ArgumentNullException.ThrowIfNull(jtis);
        var list = jtis as IReadOnlyCollection<string> ?? jtis.ToList();
        var next = new KeyTable(KeyTable.CapacityFor(list.Count));
        var nextForeign = new ConcurrentDictionary<string, byte>(StringComparer.Ordinal);
        var current = table;
        var currentForeign = foreign;
        var added = false;
        foreach (var jti in list)
        {
            if (CompactJti.TryParse(jti, out var low, out var high))
            {
                next.Insert(low, high);
                added |= !current.Contains(low, high);
            }
            else
            {
                nextForeign.TryAdd(jti, 0);
                added |= !currentForeign.ContainsKey(jti);
            }
        }

        lock (writeLock)
        {
            // Carry over what was added but is not in the snapshot yet; forget what the snapshot confirms.
            var now = clock.GetUtcNow();
            List<string>? settled = null;
            foreach (var (jti, addedAt) in pending)
            {
                var compact = CompactJti.TryParse(jti, out var low, out var high);
                var listed = compact ? next.Contains(low, high) : nextForeign.ContainsKey(jti);
                if (listed || now - addedAt > PendingRetention)
                {
                    (settled ??= []).Add(jti);
                    continue;
                }

                if (!compact)
                {
                    nextForeign.TryAdd(jti, 0);
                    continue;
                }

                if (!next.HasRoomForOneMore)
                {
                    var grown = new KeyTable(KeyTable.CapacityFor((next.Count + 1) * 3 / 2));
                    next.CopyTo(grown);
                    next = grown;
                }

                next.Insert(low, high);
            }

            if (settled is not null)
            {
                foreach (var jti in settled)
                {
                    pending.Remove(jti);
                }
            }

            table = next;
            foreign = nextForeign;
            if (added)
            {
                // The snapshot held revocations this node had missed (a lost notification).
                Interlocked.Increment(ref epoch);
            }
        }
    }

    /// <summary>True when the <c>jti</c> was not held before.</summary>
    private bool AddLocked(string jti)
    {
        if (!CompactJti.TryParse(jti, out var low, out var high))
        {
            return foreign.TryAdd(jti, 0);
        }

        var current = table;
        if (current.Contains(low, high))
        {
            return false;
        }

        if (!current.HasRoomForOneMore)
        {
            var grown = new KeyTable(KeyTable.CapacityFor((current.Count + 1) * 3 / 2));
            current.CopyTo(grown);
            grown.Insert(low, high);
            table = grown;
            return true;
        }

        current.Insert(low, high);
        return true;
    }

    /// <summary>Linear probing over pairs of words; slot i is words [2i] (low, the publish word) and [2i+1] (high).</summary>
    private sealed class KeyTable
    {
        private const double MaxLoad = 0.75;
        private readonly ulong[] words;
        private readonly ulong capacity;
        private int count;

        public KeyTable(long capacity)
        {
            this.capacity = (ulong)capacity;
            words = new ulong[capacity * 2];
        }

        public int Count => Volatile.Read(ref count);

        public bool HasRoomForOneMore => count + 1 <= (long)(capacity * MaxLoad);

        public static long CapacityFor(int entries) => Math.Max(64, (long)Math.Ceiling(entries / MaxLoad) + 1);

        public bool Contains(ulong low, ulong high)
        {
            var slot = Home(low, high);
            var words = this.words;
            while (true)
            {
                var stored = Volatile.Read(ref words[slot * 2]);
                if (stored == 0)
                {
                    return false;
                }

                if (stored == low && words[(slot * 2) + 1] == high)
                {
                    return true;
                }

                slot = slot + 1 == capacity ? 0 : slot + 1;
            }
        }

        /// <summary>Caller holds the write lock and has checked the key is absent and there is room.</summary>
        public void Insert(ulong low, ulong high)
        {
            var slot = Home(low, high);
            while (words[slot * 2] != 0)
            {
                if (words[slot * 2] == low && words[(slot * 2) + 1] == high)
                {
                    return;
                }

                slot = slot + 1 == capacity ? 0 : slot + 1;
            }

            words[(slot * 2) + 1] = high;
            Volatile.Write(ref words[slot * 2], low);
            Volatile.Write(ref count, count + 1);
        }

        public void CopyTo(KeyTable target)
        {
            for (ulong slot = 0; slot < capacity; slot++)
            {
                var low = words[slot * 2];
                if (low != 0)
                {
                    target.Insert(low, words[(slot * 2) + 1]);
                }
            }
        }

        /// <summary>Maps the key onto [0, capacity) with a multiply-high (no power-of-two capacity needed).</summary>
        private ulong Home(ulong low, ulong high)
        {
            var mixed = (low ^ (high * 0x9E3779B97F4A7C15UL)) * 0xBF58476D1CE4E5B9UL;
            return Math.BigMul(mixed, capacity, out _);
        }
    }
}
