using Mandate.Core.Audit;

namespace Mandate.Core.Tests.Audit;

public sealed class MerkleTreeBuilderTests
{
    // RFC 6962 Merkle tree heads over the first n of these leaves, as published with Certificate Transparency's
    // reference implementation test suite (merkle_tree_test), recomputed independently with the RFC's recursive definition.
    private static readonly string[] Leaves = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"];

    public static TheoryData<int, string> Roots => new()
    {
        { 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
        { 1, "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d" },
        { 2, "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125" },
        { 3, "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77" },
        { 4, "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7" },
        { 5, "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4" },
        { 6, "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef" },
        { 7, "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c" },
        { 8, "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328" },
    };

    [Theory]
    [MemberData(nameof(Roots))]
    public void RootHash_ShouldMatchTheRfc6962TestVectors(int size, string expectedRoot)
    {
        var tree = new MerkleTreeBuilder();
        foreach (var leaf in Leaves.Take(size))
        {
            tree.AddLeaf(Convert.FromHexString(leaf));
        }

        Assert.Equal(expectedRoot, Convert.ToHexStringLower(tree.RootHash()));
        Assert.Equal(size, tree.Size);
    }

    [Fact]
    public void RootHash_ShouldEqualTheRecursiveDefinition_ForEverySizeUpTo100()
    {
        var leaves = Enumerable.Range(0, 100).Select(i => BitConverter.GetBytes(i * 7919)).ToList();
        var tree = new MerkleTreeBuilder();
        for (var n = 1; n <= leaves.Count; n++)
        {
            tree.AddLeaf(leaves[n - 1]);
            Assert.Equal(Convert.ToHexStringLower(Recursive(leaves.Take(n).ToList())), Convert.ToHexStringLower(tree.RootHash()));
        }
    }

    private static byte[] Recursive(IReadOnlyList<byte[]> leaves)
    {
        if (leaves.Count == 1)
        {
            return AuditHashing.LeafHash(leaves[0]);
        }

        var k = 1;
        while (k * 2 < leaves.Count)
        {
            k *= 2;
        }

        return AuditHashing.NodeHash(Recursive(leaves.Take(k).ToList()), Recursive(leaves.Skip(k).ToList()));
    }
}
