using System.Text;
using System.Text.Json;
using Mandate.Core.Audit;
using Mandate.Core.Audit.Canonical;

namespace Mandate.Core.Tests.Audit;

/// <summary>
/// The ledger's direct body writer (members in their fixed RFC 8785 order, strings escaped in place) produces exactly
/// the bytes the general RFC 8785 canonicalizer produces from the same body, for every kind of character, and reads
/// back to the same event: the chain hashes the same bytes as before the writer was made fast.
/// </summary>
public sealed class AuditCanonicalFormTests
{
    private static readonly DateTimeOffset Time = DateTimeOffset.FromUnixTimeMilliseconds(1_780_000_123_456);

    public static TheoryData<string> Texts() =>
    [
        "plain",
        "Workload::\"spiffe://demo.mandate.local/agent/a\"",
        "back\\slash and \"quotes\" \b\f\n\r\t \u0001\u001f end",
        "é ü 中文 \U0001F600 emoji at the end \U0001F680",
        "\U0001F600",
        "<script>&'+ </script>",
        string.Empty,
    ];

    [Theory]
    [MemberData(nameof(Texts))]
    public void Body_ShouldEqualTheGeneralCanonicalization_AndReadBack(string text)
    {
        var auditEvent = new AuditEvent
        {
            Type = "decision",
            Actor = "pep:" + text,
            Subject = text,
            Chain = [text, "spiffe://x/" + text],
            Action = "Action::\"read\"",
            Resource = text + "r",
            Decision = "allow",
            PolicyVersion = "4ba259f57252f88d",
            CredentialId = "jti-" + text,
            TaskId = "task",
            Reason = text,
            RequestId = "req",
            Details = new Dictionary<string, string>
            {
                ["z"] = text,
                ["a"] = "1",
                ["é"] = "accent sorts after ASCII",
                ["\U0001F600"] = "surrogates sort by code unit",
                ["\uFFFD"] = "after the surrogates by code unit",
                ["A"] = "upper before lower",
            },
        };

        var fast = AuditCanonicalForm.SerializeToUtf8(123_456_789, Time, auditEvent);
        var general = JsonCanonicalizer.Canonicalize(fast);
        Assert.Equal(Encoding.UTF8.GetString(general), Encoding.UTF8.GetString(fast));

        var (sequence, time, back) = AuditCanonicalForm.Parse(Encoding.UTF8.GetString(fast));
        Assert.Equal(123_456_789, sequence);
        Assert.Equal(Time, time);
        Assert.Equal(auditEvent.Subject, back.Subject);
        Assert.Equal(auditEvent.Chain, back.Chain);
        Assert.Equal(auditEvent.Details.OrderBy(d => d.Key, StringComparer.Ordinal), back.Details!.OrderBy(d => d.Key, StringComparer.Ordinal));
        Assert.Equal(fast, AuditCanonicalForm.SerializeToUtf8(sequence, time, back));

        // A store keeps the row, not the body: the body rebuilt from the row is the very bytes that were hashed, and the
        // row reads back to the same event.
        var row = AuditRow.From(123_456_789, Time, auditEvent);
        Assert.Equal(Encoding.UTF8.GetString(fast), row.Body());
        var fromRow = row.ToEvent();
        Assert.Equal(auditEvent.Chain, fromRow.Chain);
        Assert.Equal(auditEvent.Details.OrderBy(d => d.Key, StringComparer.Ordinal), fromRow.Details!.OrderBy(d => d.Key, StringComparer.Ordinal));
        Assert.Equal(fast, AuditCanonicalForm.SerializeToUtf8(123_456_789, row.Time, fromRow));
    }

    [Fact]
    public void RowBody_ShouldEqualTheBody_ForAnEventWithOnlyItsType()
    {
        var auditEvent = new AuditEvent { Type = "t", Chain = [], Details = new Dictionary<string, string>() };

        var row = AuditRow.From(1, Time, auditEvent);

        Assert.Null(row.Chain);
        Assert.Null(row.Details);
        Assert.Equal(AuditCanonicalForm.Serialize(1, Time, auditEvent), row.Body());
    }

    [Fact]
    public void Body_ShouldLeaveAbsentMembersOut_AndKeepTheKnownLayout()
    {
        var body = AuditCanonicalForm.Serialize(7, Time, new AuditEvent { Type = "policy.activated", Actor = "admin", Details = new Dictionary<string, string>() });
        Assert.Equal("{\"actor\":\"admin\",\"seq\":7,\"time\":\"2026-05-28T20:28:43.456Z\",\"type\":\"policy.activated\"}", body);
    }

    [Fact]
    public void LoneSurrogate_ShouldBeRefused()
    {
        Assert.Throws<JsonCanonicalizationException>(() => AuditCanonicalForm.SerializeToUtf8(1, Time, new AuditEvent { Type = "x", Reason = "a\uD800b" }));
    }

    [Fact]
    public void GeneralCanonicalizer_ShouldStillEscapeControlCharactersInLowerCaseHex()
    {
        using var document = JsonDocument.Parse("\"\\u001F\\u0000x\"");
        Assert.Equal("\"\\u001f\\u0000x\"", JsonCanonicalizer.CanonicalizeToString(document.RootElement));
    }
}
