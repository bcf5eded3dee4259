using Mandate.Core.Audit;
using Microsoft.Extensions.Options;

namespace Mandate.Core.Tests.Audit;

public sealed class AuditCheckpointSignalTests
{
    [Fact]
    public void Reset_ShouldKeepEventsBeyondTheCheckpoint_AndNeverGoBelowZero()
    {
        var signal = new AuditCheckpointSignal(Options.Create(new AuditOptions()));
        signal.Appended(7);

        signal.Reset(5);
        Assert.Equal(2, signal.Pending);

        // A checkpoint can cover events appended before this process counted anything.
        signal.Reset(10);
        Assert.Equal(0, signal.Pending);

        signal.Appended(3);
        Assert.Equal(3, signal.Pending);
    }
}
