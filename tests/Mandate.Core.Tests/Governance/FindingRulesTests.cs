using Mandate.Core.Governance.Findings;
using Mandate.Core.Governance.Inventory;

namespace Mandate.Core.Tests.Governance;

/// <summary>Each inventory finding kind fires on its condition, not beside it, with evidence naming the field that proves it.</summary>
public sealed class FindingRulesTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-12-06T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
    private static readonly GovernanceOptions Options = new();

    private static InventoryEntry Entry(string id, string? owner, params InventoryCredential[] credentials) => new()
    {
        Source = "aws",
        ExternalId = "arn:aws:iam::1:user/" + id,
        Kind = "service_account",
        Owner = owner,
        Status = "active",
        CreatedAt = Now.AddDays(-500),
        Credentials = credentials,
    };

    private static InventoryCredential Key(int rotatedDaysAgo, int? usedDaysAgo, string slot = "access_key_1", bool active = true, string? fingerprint = null, int? expiresInDays = null) => new()
    {
        Slot = slot,
        Kind = "access_key",
        Active = active,
        CreatedAt = Now.AddDays(-rotatedDaysAgo),
        LastRotatedAt = Now.AddDays(-rotatedDaysAgo),
        LastUsedAt = usedDaysAgo is { } u ? Now.AddDays(-u) : null,
        Fingerprint = fingerprint,
        ExpiresAt = expiresInDays is { } e ? Now.AddDays(e) : null,
    };

    private static List<(string Kind, string Identity)> Kinds(List<Finding> findings) => [.. findings.Select(f => (f.Kind, f.Identity[(f.Identity.LastIndexOf('/') + 1)..]))];

    [Fact]
    public void LargeInventory_JudgedInSlices_ShouldGiveWhatOneIdentityAtATimeGives_InTheSameOrder()
    {
        // Enough identities for the sliced path, with secrets shared between identities far apart (other slices).
        const int Count = 12_000;
        var entries = Enumerable.Range(0, Count).Select(i => Entry(
            "svc-" + i.ToString("D5", System.Globalization.CultureInfo.InvariantCulture),
            i % 5 == 0 ? null : "team:a",
            Key(i % 400, i % 7 == 0 ? null : i % 200, fingerprint: i % 101 == 0 ? "fp-" + (i % 3).ToString(System.Globalization.CultureInfo.InvariantCulture) : null, expiresInDays: i % 2 == 0 ? null : 30)))
            .ToList();

        var judged = FindingRules.Evaluate(entries, Now, Options, new HashSet<string> { "team:a" });

        var alone = entries.SelectMany(e => FindingRules.Evaluate([e], Now, Options, new HashSet<string> { "team:a" })).Where(f => f.Kind != FindingKinds.SharedSecret);
        var shared = FindingRules.Evaluate([.. entries.Where(e => e.Credentials[0].Fingerprint is not null)], Now, Options, new HashSet<string> { "team:a" })
            .Where(f => f.Kind == FindingKinds.SharedSecret);
        var expected = alone.Concat(shared).ToList();
        Assert.Equal(expected.Count, judged.Count);
        Assert.Contains(judged, f => f.Kind == FindingKinds.SharedSecret);
        Assert.Equal(expected.Select(f => (f.Id, f.Summary, FindingDigest.Of(f))), judged.Select(f => (f.Id, f.Summary, FindingDigest.Of(f))));
    }

    [Fact]
    public void Stale_And_RotationOverdue_ShouldFireOnlyPastTheirWindows()
    {
        var findings = FindingRules.Evaluate(
            [
                Entry("fresh", "team:a", Key(30, 1, expiresInDays: 60)),
                Entry("stale", "team:a", Key(30, 120, expiresInDays: 60)),
                Entry("never-used", "team:a", Key(100, null, expiresInDays: 60)),
                Entry("overdue", "team:a", Key(91, 2, expiresInDays: 60)),
                Entry("inactive", "team:a", Key(400, 400, active: false)),
            ],
            Now,
            Options);
        Assert.Equal(
            [("stale", "stale"), ("stale", "never-used"), ("rotation_overdue", "never-used"), ("rotation_overdue", "overdue")],
            Kinds(findings));
        var neverUsed = findings.First(f => f.Kind == "stale" && f.Identity.EndsWith("never-used", StringComparison.Ordinal));
        Assert.Contains(neverUsed.Evidence, e => e is { Kind: "field", Name: "access_key_1_last_used_date", Value: "none", Source: "aws" });
        Assert.Contains(neverUsed.Evidence, e => e.Name == "access_key_1_last_rotated" && e.Value == "2026-08-28T00:00:00Z");
        Assert.Contains("never used", neverUsed.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void NoOwner_LongLivedSecret_ExpiredActive_AndSharedSecret_ShouldFireOnTheirConditions()
    {
        var shared = "sha256:" + new string('b', 64);
        var findings = FindingRules.Evaluate(
            [
                Entry("ownerless", null, Key(10, 1, expiresInDays: 30)),
                Entry("no-expiry", "team:a", Key(10, 1)),
                Entry("expired", "team:a", Key(10, 1, expiresInDays: -1)),
                Entry("twin-a", "team:a", Key(10, 1, fingerprint: shared, expiresInDays: 30)),
                Entry("twin-b", "team:b", Key(10, 1, fingerprint: shared, expiresInDays: 30)),
                Entry("alone", "team:b", Key(10, 1, fingerprint: "sha256:" + new string('c', 64), expiresInDays: 30)),
                Entry("retired", null, Key(10, 1)) with { Status = "disabled" },
            ],
            Now,
            Options);
        Assert.Equal(
            [("no_owner", "ownerless"), ("long_lived_secret", "no-expiry"), ("expired_active", "expired"), ("shared_secret", "twin-a"), ("shared_secret", "twin-b")],
            Kinds(findings));
        var twin = findings.First(f => f.Kind == "shared_secret");
        Assert.Contains(twin.Evidence, e => e.Name == "shared_with" && e.Value == "arn:aws:iam::1:user/twin-b");
        Assert.Equal(FindingRules.Id("no_owner", "aws", "arn:aws:iam::1:user/ownerless", null), findings[0].Id);
    }

    [Fact]
    public void Windows_ShouldFollowTheSettings()
    {
        var entry = Entry("svc", "team:a", Key(40, 40, expiresInDays: 30));
        Assert.Empty(FindingRules.Evaluate([entry], Now, Options));
        var strict = new GovernanceOptions { StaleAfter = TimeSpan.FromDays(30), RotateAfter = TimeSpan.FromDays(30) };
        Assert.Equal(["stale", "rotation_overdue"], FindingRules.Evaluate([entry], Now, strict).Select(f => f.Kind));
    }

    [Fact]
    public void Orphaned_ShouldFireForAnOwnerOutsideTheKnownOwners()
    {
        var known = new HashSet<string>(StringComparer.Ordinal) { "team:a" };
        var findings = FindingRules.Evaluate([Entry("kept", "team:a", Key(10, 1, expiresInDays: 30)), Entry("left", "bob@example.com", Key(10, 1, expiresInDays: 30)), Entry("none", null)], Now, Options, known);
        Assert.Equal([("orphaned", "left"), ("no_owner", "none")], Kinds(findings));
        Assert.Empty(FindingRules.Evaluate([Entry("left", "bob@example.com", Key(10, 1, expiresInDays: 30))], Now, Options));
    }
}
