namespace Mandate.Core.Audit;

/// <summary>
/// RFC 9162 (section 2.1.3) inclusion proofs over the RFC 6962 Merkle trees that checkpoints sign: the audit path of
/// one leaf, and the verifier that folds a leaf hash and its path back into a root.
/// </summary>
internal static class MerkleInclusion
{
    /// <summary>The audit path of leaf <paramref name="index"/> in the tree over <paramref name="leafHashes"/>, from the leaf's sibling upwards.</summary>
    public static IReadOnlyList<byte[]> AuditPath(IReadOnlyList<byte[]> leafHashes, int index)
    {
        ArgumentNullException.ThrowIfNull(leafHashes);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, leafHashes.Count);
        var path = new List<byte[]>();
        CollectPath(leafHashes, index, 0, leafHashes.Count, path);
        return path;
    }

    /// <summary>
    /// Whether <paramref name="path"/> proves that <paramref name="leafHash"/> is leaf <paramref name="index"/> of a tree
    /// of <paramref name="treeSize"/> leaves whose head is <paramref name="rootHash"/>.
    /// </summary>
    public static bool Verify(byte[] leafHash, long index, long treeSize, IReadOnlyList<byte[]> path, byte[] rootHash)
    {
        ArgumentNullException.ThrowIfNull(leafHash);
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(rootHash);
        if (index < 0 || index >= treeSize)
        {
            return false;
        }

        var fn = index;
        var sn = treeSize - 1;
        var hash = leafHash;
        foreach (var sibling in path)
        {
            if (sn == 0 || sibling is not { Length: 32 })
            {
                return false;
            }

            if ((fn & 1) == 1 || fn == sn)
            {
                hash = AuditHashing.NodeHash(sibling, hash);
                if ((fn & 1) == 0)
                {
                    // A right-edge node with no sibling at this level: climb until it is a right child again.
                    while ((fn & 1) == 0 && fn != 0)
                    {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            }
            else
            {
                hash = AuditHashing.NodeHash(hash, sibling);
            }

            fn >>= 1;
            sn >>= 1;
        }

        return sn == 0 && hash.AsSpan().SequenceEqual(rootHash);
    }

    private static void CollectPath(IReadOnlyList<byte[]> leaves, int index, int start, int end, List<byte[]> path)
    {
        var size = end - start;
        if (size <= 1)
        {
            return;
        }

        var split = LargestPowerOfTwoBelow(size);
        if (index < start + split)
        {
            CollectPath(leaves, index, start, start + split, path);
            path.Add(SubtreeHash(leaves, start + split, end));
        }
        else
        {
            CollectPath(leaves, index, start + split, end, path);
            path.Add(SubtreeHash(leaves, start, start + split));
        }
    }

    private static byte[] SubtreeHash(IReadOnlyList<byte[]> leaves, int start, int end)
    {
        var tree = new MerkleTreeBuilder();
        for (var i = start; i < end; i++)
        {
            tree.AddLeafHash(leaves[i]);
        }

        return tree.RootHash();
    }

    private static int LargestPowerOfTwoBelow(int n)
    {
        var k = 1;
        while (k << 1 < n)
        {
            k <<= 1;
        }

        return k;
    }
}
