using System.Buffers;
using Mandate.Core.Audit;
using Mandate.Core.Decisions;

namespace Mandate.Core.Tests.Decisions;

/// <summary>
/// A decision's audit details are a small fixed-key object, not a hash table: it must read, enumerate, hash and redact
/// exactly like the dictionary it replaces, or ledger bodies (and their hashes) would change.
/// </summary>
public sealed class DecisionAuditDetailsTests
{
    public static TheoryData<string?, string?, string?> Shapes => new()
    {
        { null, null, null },
        { "subject.properties.stage", null, null },
        { null, "192.0.2.7", null },
        { "subject.properties.stage,resource.properties.owner", "2001:db8::/64", null },
        { null, null, "exc_0123456789abcdef0123" },
        { "subject.properties.stage", "192.0.2.7", "brk_0123456789abcdef0123" },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Details_ShouldMatchTheDictionaryFilledInTheSameOrder(string? ignored, string? client, string? exception)
    {
        var kind = exception?.StartsWith("brk_", StringComparison.Ordinal) == true ? "breakglass" : "exception";
        var details = new DecisionAuditDetails("dec_01J", ignored, client, exception, kind);
        var expected = new Dictionary<string, string>(StringComparer.Ordinal) { ["decision_id"] = "dec_01J" };
        if (ignored is not null)
        {
            expected["ignored_properties"] = ignored;
        }

        if (client is not null)
        {
            expected["client"] = client;
        }

        if (exception is not null)
        {
            expected["exception_id"] = exception;
            expected["exception_kind"] = kind;
        }

        Assert.Equal(expected.ToList(), details.ToList());
        Assert.Equal(expected.Count, details.Count);

        // Read by index (the secret check and the canonical body do): the same pairs in the same order, and no more.
        IReadOnlyList<KeyValuePair<string, string>> indexed = details;
        Assert.Equal(expected.ToList(), Enumerable.Range(0, indexed.Count).Select(i => indexed[i]).ToList());
        Assert.Throws<ArgumentOutOfRangeException>(() => indexed[indexed.Count]);
        Assert.Throws<ArgumentOutOfRangeException>(() => indexed[-1]);
        Assert.Equal(expected.Keys, details.Keys);
        Assert.Equal(expected.Values, details.Values);
        foreach (var key in new[] { "decision_id", "ignored_properties", "client", "exception_id", "exception_kind", "Client", "other", string.Empty })
        {
            Assert.Equal(expected.TryGetValue(key, out var want), details.TryGetValue(key, out var got));
            Assert.Equal(want, got);
            Assert.Equal(expected.ContainsKey(key), details.ContainsKey(key));
            if (!expected.ContainsKey(key))
            {
                Assert.Throws<KeyNotFoundException>(() => details[key]);
            }
        }

        // The stored details text and the whole canonical body are the dictionary's, byte for byte.
        Assert.Equal(AuditRow.DetailsText(expected), AuditRow.DetailsText(details));
        var time = DateTimeOffset.FromUnixTimeMilliseconds(1_780_000_000_123);
        Assert.Equal(Body(AuditRow.From(7, time, Event(expected))), Body(AuditRow.From(7, time, Event(details))));
    }

    [Fact]
    public void SecretGuard_ShouldRedactATokenInTheDetailsAsInADictionary()
    {
        const string Token = "mpt_abcdefghijklmnopqrstuvwxyz012345";
        var details = new DecisionAuditDetails("dec_01J", "subject.properties." + Token, "192.0.2.7");
        var sanitized = AuditSecretGuard.Sanitize(Event(details), out var redacted);
        var fromDictionary = AuditSecretGuard.Sanitize(Event(details.ToDictionary(StringComparer.Ordinal)), out var redactedFromDictionary);

        Assert.Equal(["details.ignored_properties"], redacted);
        Assert.Equal(redactedFromDictionary, redacted);
        Assert.DoesNotContain(Token, sanitized.Details!["ignored_properties"], StringComparison.Ordinal);
        Assert.Equal(fromDictionary.Details!.ToList(), sanitized.Details!.ToList());
    }

    private static AuditEvent Event(IReadOnlyDictionary<string, string> details) => new()
    {
        Type = "decision",
        Actor = "pep:gateway",
        Subject = "Workload::\"spiffe://demo.mandate.local/svc/billing\"",
        Action = "Action::\"read\"",
        Resource = "Invoice::\"INV-1\"",
        Decision = "allow",
        Details = details,
    };

    private static string Body(AuditRow row)
    {
        var buffer = new ArrayBufferWriter<byte>();
        Assert.Null(AuditCanonicalForm.TryWrite(row, buffer));
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    [Fact]
    public void Details_ShouldEndWithTheContext_OrItsSizeWhenItWasNotKept()
    {
        var kept = new DecisionAuditDetails("dec_01J", null, "192.0.2.7", null, null, "{\"sensitivity\":\"high\"}", "9999 bytes");
        Assert.Equal(["decision_id", "client", "context"], kept.Keys);
        Assert.Equal(3, kept.Count);
        Assert.Equal(new KeyValuePair<string, string>("context", "{\"sensitivity\":\"high\"}"), ((IReadOnlyList<KeyValuePair<string, string>>)kept)[2]);
        Assert.Equal("{\"sensitivity\":\"high\"}", kept["context"]);
        Assert.False(kept.ContainsKey("context_omitted"));

        var omitted = new DecisionAuditDetails("dec_01J", null, null, null, null, null, "5011 bytes");
        Assert.Equal(["decision_id", "context_omitted"], omitted.Keys);
        Assert.Equal("5011 bytes", omitted["context_omitted"]);
    }
}
