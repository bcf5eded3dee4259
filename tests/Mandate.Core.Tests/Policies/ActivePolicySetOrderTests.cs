using Mandate.Core.Policies;

namespace Mandate.Core.Tests.Policies;

/// <summary>
/// Activations from several nodes reach a node in any order; the active set follows the store's activation sequence
/// only forward, so a late one never replaces a newer one.
/// </summary>
public sealed class ActivePolicySetOrderTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000);

    [Fact]
    public void TryActivate_ShouldMoveOnlyForward_BySequence()
    {
        var active = new ActivePolicySet(TimeProvider.System);
        var permit = Compile("permit (principal, action, resource);");
        var forbid = Compile("forbid (principal, action, resource);");
        var swaps = new List<string>();
        active.Activated += (_, snapshot) => swaps.Add(snapshot.Version);

        Assert.True(active.TryActivate(forbid, 5));
        Assert.False(active.TryActivate(permit, 4));
        Assert.False(active.TryActivate(permit, 5));

        Assert.Same(forbid, active.Current);
        Assert.Equal(5, active.ActivationSequence);
        Assert.Equal([forbid.Version], swaps);
        Assert.True(active.TryActivate(permit, 6));
        Assert.Same(permit, active.Current);
        Assert.Equal(6, active.ActivationSequence);
    }

    private static PolicySnapshot Compile(string policy) =>
        PolicyCompiler.Compile(new PolicyBundle([new PolicyFile("p.cedar", policy)], "[]", null), "test", Now);
}
