using System.Security.Cryptography;

namespace Mandate.Core.Audit;

/// <summary>
/// Computes an RFC 6962 Merkle tree head incrementally, keeping only one hash per level: the tree of RFC 6962 is
/// left-balanced, so its head is the perfect subtrees on the stack folded from the right.
/// </summary>
internal sealed class MerkleTreeBuilder
{
    private readonly List<(int Height, byte[] Hash)> stack = [];

    public long Size { get; private set; }

    public void AddLeaf(ReadOnlySpan<byte> leafData) => AddLeafHash(AuditHashing.LeafHash(leafData));

    public void AddLeafHash(byte[] leafHash)
    {
        ArgumentNullException.ThrowIfNull(leafHash);
        var height = 0;
        var hash = leafHash;
        while (stack.Count > 0 && stack[^1].Height == height)
        {
            hash = AuditHashing.NodeHash(stack[^1].Hash, hash);
            stack.RemoveAt(stack.Count - 1);
            height++;
        }

        stack.Add((height, hash));
        Size++;
    }

    /// <summary>The tree head; for an empty tree the hash of the empty string, as RFC 6962 defines.</summary>
    public byte[] RootHash()
    {
        if (stack.Count == 0)
        {
            return SHA256.HashData([]);
        }

        var hash = stack[^1].Hash;
        for (var i = stack.Count - 2; i >= 0; i--)
        {
            hash = AuditHashing.NodeHash(stack[i].Hash, hash);
        }

        return hash;
    }
}
