using System.Globalization;
using Mandate.Storage.Relational;

namespace Mandate.Storage.Tests.Audit;

/// <summary>The cache of the ledger's string ids: what it was given it finds, and it stays within its bounds.</summary>
public sealed class AuditStringIdsTests
{
    [Fact]
    public void AddCommitted_ShouldKeepTheSubjectsOfALargeEstate_AndStayWithinItsEntryBound()
    {
        var cache = new AuditStringIds();
        static KeyValuePair<string, long> Arn(int i) => new($"arn:aws:iam::123456789012:user/machine-{i:D7}", i);

        // 150,000 subjects, committed a thousand at a time as an import does: all still there afterwards.
        for (var batch = 0; batch < 150; batch++)
        {
            cache.AddCommitted(Enumerable.Range(batch * 1_000, 1_000).Select(Arn));
        }

        Assert.Equal(150_000, cache.Count);
        Assert.True(cache.TryGet(Arn(0).Key, out var first));
        Assert.Equal(0, first);
        Assert.True(cache.TryGet(Arn(149_999).Key, out var last));
        Assert.Equal(149_999, last);
        Assert.False(cache.TryGet("arn:never", out _));

        // Past the bound it starts over rather than growing.
        cache.AddCommitted(Enumerable.Range(150_000, AuditStringIds.MaxEntries).Select(Arn));
        Assert.InRange(cache.Count, 1, AuditStringIds.MaxEntries);
        Assert.True(cache.TryGet(Arn(150_000 + AuditStringIds.MaxEntries - 1).Key, out _));
    }

    [Fact]
    public void AddCommitted_ShouldStayWithinItsCharacterBound_WhateverTheStringsLengths()
    {
        var cache = new AuditStringIds();
        var length = (int)(AuditStringIds.MaxCharacters / 10);
        for (var i = 0; i < 25; i++)
        {
            cache.AddCommitted([new(i.ToString(CultureInfo.InvariantCulture).PadRight(length, 'x'), i)]);
            Assert.InRange(cache.Characters, length, AuditStringIds.MaxCharacters);
        }

        Assert.True(cache.TryGet("24".PadRight(length, 'x'), out var id));
        Assert.Equal(24, id);

        // One string longer than the whole bound is not remembered (it is looked up each time instead).
        var huge = new string('y', (int)AuditStringIds.MaxCharacters + 1);
        cache.AddCommitted([new(huge, 99)]);
        Assert.False(cache.TryGet(huge, out _));
        Assert.InRange(cache.Characters, 0, AuditStringIds.MaxCharacters);
    }
}
