using System.Threading.Channels;
using Mandate.Core.Audit;

namespace Mandate.Core.Tests.Audit;

public sealed class GroupCommitTests
{
    // A single-reader channel throws NotSupportedException on Count; the writer loop must never die of that.
    [Fact]
    public async Task LetTheBatchFill_ShouldNotFail_OnAChannelThatCannotCount()
    {
        var channel = Channel.CreateUnbounded<int>(new UnboundedChannelOptions { SingleReader = true });
        channel.Writer.TryWrite(1);

        await GroupCommit.LetTheBatchFillAsync(channel.Reader);

        Assert.True(channel.Reader.TryRead(out var item));
        Assert.Equal(1, item);
    }
}
