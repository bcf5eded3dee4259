using Mandate.Core.Audit;

namespace Mandate.Core.Tests.Audit;

public sealed class AuditSecretGuardTests
{
    private const string Jwt = "eyJhbGciOiJFUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJzcGlmZmU6Ly9kZW1vL3N2YyIsImp0aSI6ImoxIn0.c2lnbmF0dXJlLWJ5dGVzLWhlcmU";

    [Theory]
    [InlineData("reason")]
    [InlineData("resource")]
    [InlineData("details.note")]
    [InlineData("chain[0]")]
    public void Sanitize_ShouldReplaceAJwt_WhereverItAppears(string field)
    {
        var e = field switch
        {
            "reason" => new AuditEvent { Type = "t", Reason = "presented " + Jwt + " at the gate" },
            "resource" => new AuditEvent { Type = "t", Resource = Jwt },
            "details.note" => new AuditEvent { Type = "t", Details = new Dictionary<string, string> { ["note"] = "Bearer " + Jwt } },
            _ => new AuditEvent { Type = "t", Chain = [Jwt] },
        };

        var sanitized = AuditSecretGuard.Sanitize(e, out var redacted);

        Assert.Contains(field, redacted);
        var body = AuditCanonicalForm.Serialize(1, DateTimeOffset.UnixEpoch, sanitized);
        Assert.DoesNotContain("eyJhbGciOiJFUzI1NiIsImtpZCI6ImsxIn0", body, StringComparison.Ordinal);
        Assert.Contains("[redacted sha256:", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("client_secret")]
    [InlineData("password")]
    [InlineData("Authorization")]
    [InlineData("subject_token")]
    public void Sanitize_ShouldFingerprintValues_OfKeysThatNameASecret(string key)
    {
        var e = new AuditEvent { Type = "t", Details = new Dictionary<string, string> { [key] = "hunter2-not-a-jwt" } };

        var sanitized = AuditSecretGuard.Sanitize(e, out var redacted);

        Assert.Equal(AuditSecretGuard.Fingerprint("hunter2-not-a-jwt"), sanitized.Details![key]);
        Assert.Equal([$"details.{key}"], redacted);
    }

    [Fact]
    public void Sanitize_ShouldReplaceAWebhookSigningSecret()
    {
        const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw+Vs1y9ZqV+A=";
        var sanitized = AuditSecretGuard.Sanitize(new AuditEvent { Type = "t", Reason = "pasted " + Secret + " by mistake" }, out var redacted);

        Assert.Contains("reason", redacted);
        Assert.DoesNotContain("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", sanitized.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Sanitize_ShouldLeaveOrdinaryEventsUntouched()
    {
        var e = new AuditEvent
        {
            Type = "credential.issued",
            Subject = "spiffe://demo.mandate.local/agent/support-assistant",
            CredentialId = "01JABCDEF",
            Details = new Dictionary<string, string> { ["scope"] = "tickets:read", ["token_hash"] = "sha256:0123456789abcdef" },
        };

        var sanitized = AuditSecretGuard.Sanitize(e, out var redacted);

        Assert.Same(e, sanitized);
        Assert.Empty(redacted);
    }
}
