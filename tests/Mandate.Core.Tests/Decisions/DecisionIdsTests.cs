using System.Text.RegularExpressions;
using Mandate.Core.Decisions;

namespace Mandate.Core.Tests.Decisions;

/// <summary>
/// Decision ids come from a per-thread block of CSPRNG output: across many blocks and threads they keep their shape
/// and never repeat, and no id's bits are reused for another.
/// </summary>
public sealed partial class DecisionIdsTests
{
    [Fact]
    public void Ids_ShouldKeepTheirShape_AndNeverRepeat_AcrossBlocksAndThreads()
    {
        const int PerThread = 2_000; // several blocks of 256 ids each
        var ids = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 4, _ =>
        {
            for (var i = 0; i < PerThread; i++)
            {
                ids.Add(DecisionIds.Next());
            }
        });

        Assert.Equal(4 * PerThread, ids.Count);
        Assert.All(ids, id => Assert.Matches(Shape(), id));
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());

        // 128 random bits: no id is all zeros (cleared bytes handed out again would be).
        Assert.DoesNotContain("d_" + new string('0', 32), ids);
    }

    [GeneratedRegex("^d_[0-9a-f]{32}$")]
    private static partial Regex Shape();
}
