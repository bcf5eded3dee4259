using Mandate.Core.Policies;

namespace Mandate.Core.Tests.Policies;

/// <summary>The per-policy diff the console shows between two stored versions.</summary>
public sealed class PolicyVersionDiffTests
{
    private const string Read = "@id(\"read\")\npermit (principal, action == Action::\"read\", resource);\n";
    private const string Write = "@id(\"write\")\npermit (principal, action == Action::\"write\", resource);\n";
    private const string Deploy = "@id(\"deploy\")\nforbid (principal, action == Action::\"deploy\", resource);\n";

    [Fact]
    public void Compare_ShouldName_AddedRemovedAndChangedPolicies_ById_WithTheirLines()
    {
        var before = Bundle(Read + Write, "[]");
        var after = Bundle(Read.Replace("\"read\")\npermit", "\"read\")\nforbid", StringComparison.Ordinal) + Deploy, "[]");

        var diff = PolicyVersionDiff.Compare(before, after);

        Assert.Equal(["deploy", "read", "write"], diff.Policies.Select(c => c.Id));
        Assert.Equal([PolicyChangeKind.Added, PolicyChangeKind.Changed, PolicyChangeKind.Removed], diff.Policies.Select(c => c.Kind));
        Assert.Equal(0, diff.Unchanged);
        var changed = diff.Policies[1].Hunks!.SelectMany(h => h.Lines).ToList();
        Assert.Contains(changed, l => l.Kind == DiffLineKind.Removed && l.Text.StartsWith("permit", StringComparison.Ordinal));
        Assert.Contains(changed, l => l.Kind == DiffLineKind.Added && l.Text.StartsWith("forbid", StringComparison.Ordinal));
        Assert.All(diff.Policies[0].Hunks!.SelectMany(h => h.Lines), l => Assert.Equal(DiffLineKind.Added, l.Kind));
        Assert.Null(diff.Entities);
        Assert.Null(diff.Schema);
    }

    [Fact]
    public void Compare_ShouldSeeNoChange_InLayoutAlone_ButShouldSeeTheEntitiesChange()
    {
        var before = Bundle(Read, "[]");
        var after = Bundle("// the same policy, laid out otherwise\n@id(\"read\") permit(principal,action==Action::\"read\",resource);", "[{\"uid\":{\"type\":\"Ticket\",\"id\":\"T-1\"},\"attrs\":{},\"parents\":[]}]");

        var diff = PolicyVersionDiff.Compare(before, after);

        Assert.Empty(diff.Policies);
        Assert.Equal(1, diff.Unchanged);
        Assert.Equal(PolicyChangeKind.Changed, diff.Entities!.Kind);
        Assert.Equal(PolicyBundle.EntitiesFileName, diff.Entities.Id);
    }

    [Fact]
    public void Hunks_ShouldKeepThreeLinesOfContext_AndNumberBothSides()
    {
        var before = string.Join('\n', Enumerable.Range(1, 20).Select(i => "line " + i));
        var after = before.Replace("line 10", "line ten", StringComparison.Ordinal);

        var hunk = Assert.Single(PolicyTextDiff.Hunks(before, after)!);

        Assert.Equal(7, hunk.OldStart);
        Assert.Equal(7, hunk.NewStart);
        Assert.Equal(8, hunk.Lines.Count);
        // On a tie the new line comes first (as `mandate policy diff` has always written it).
        Assert.Equal(new DiffLine(DiffLineKind.Added, "line ten", 10, 10), hunk.Lines[3]);
        Assert.Equal(new DiffLine(DiffLineKind.Removed, "line 10", 10, 11), hunk.Lines[4]);
        Assert.Empty(PolicyTextDiff.Hunks(before, before)!);
    }

    private static PolicyBundle Bundle(string policies, string entities) => new([new PolicyFile("policies.cedar", policies)], entities, null);
}
