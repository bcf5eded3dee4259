using Mandate.Core.Audit;

namespace Mandate.Core.Tests.Audit;

public sealed class MerkleInclusionTests
{
    // The leaves of the RFC 6962 reference test suite (see MerkleTreeBuilderTests) and inclusion paths published with
    // it (Certificate Transparency merkle_tree_test), as (leaf index, tree size, path).
    private static readonly string[] Leaves = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"];

    public static TheoryData<int, int, string[]> KnownPaths => new()
    {
        { 0, 1, [] },
        { 0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"] },
        { 5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"] },
        { 2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"] },
        { 1, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"] },
    };

    private static List<byte[]> LeafHashes(int count) => Leaves.Take(count).Select(l => AuditHashing.LeafHash(Convert.FromHexString(l))).ToList();

    private static byte[] Root(IReadOnlyList<byte[]> leaves)
    {
        var tree = new MerkleTreeBuilder();
        foreach (var leaf in leaves)
        {
            tree.AddLeafHash(leaf);
        }

        return tree.RootHash();
    }

    private static List<byte[]> Synthetic(int count) =>
        Enumerable.Range(0, count).Select(i => AuditHashing.LeafHash(BitConverter.GetBytes(i))).ToList();

    [Theory]
    [MemberData(nameof(KnownPaths))]
    public void AuditPath_ShouldMatchThePublishedVectors_AndVerify(int index, int size, string[] expected)
    {
        var leaves = LeafHashes(size);
        var path = MerkleInclusion.AuditPath(leaves, index);

        Assert.Equal(expected, path.Select(Convert.ToHexStringLower));
        Assert.True(MerkleInclusion.Verify(leaves[index], index, size, path, Root(leaves)));
    }

    [Fact]
    public void EveryLeafOfEveryTreeUpTo70_ShouldProveItsInclusion_AndNoOtherPosition()
    {
        for (var size = 1; size <= 70; size++)
        {
            var leaves = Synthetic(size);
            var root = Root(leaves);
            for (var index = 0; index < size; index++)
            {
                var path = MerkleInclusion.AuditPath(leaves, index);
                Assert.True(MerkleInclusion.Verify(leaves[index], index, size, path, root), $"leaf {index} of {size}");
                if (size > 1)
                {
                    var other = (index + 1) % size;
                    Assert.False(MerkleInclusion.Verify(leaves[index], other, size, path, root), $"leaf {index} of {size} claimed at {other}");
                    Assert.False(MerkleInclusion.Verify(leaves[other], index, size, path, root), $"leaf {other} of {size} claimed at {index}");
                }
            }
        }
    }

    [Fact]
    public void AlteredPaths_ShouldNotVerify()
    {
        var leaves = Synthetic(13);
        var root = Root(leaves);
        var path = MerkleInclusion.AuditPath(leaves, 6).ToList();

        var flipped = path.Select(p => p.ToArray()).ToList();
        flipped[1][0] ^= 1;
        Assert.False(MerkleInclusion.Verify(leaves[6], 6, 13, flipped, root));
        Assert.False(MerkleInclusion.Verify(leaves[6], 6, 13, path.Take(path.Count - 1).ToList(), root));
        Assert.False(MerkleInclusion.Verify(leaves[6], 6, 13, [.. path, leaves[0]], root));
        Assert.False(MerkleInclusion.Verify(leaves[6], 13, 13, path, root));
        Assert.False(MerkleInclusion.Verify(leaves[6], -1, 13, path, root));
    }
}
