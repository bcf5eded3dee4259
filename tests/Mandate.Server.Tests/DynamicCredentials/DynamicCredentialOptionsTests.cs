using Mandate.Core.DynamicCredentials;
using Mandate.Server.DynamicCredentials;

namespace Mandate.Server.Tests.DynamicCredentials;

/// <summary>Engine settings are refused at start when they could not work, and the refusal never shows the connection string.</summary>
public sealed class DynamicCredentialOptionsTests
{
    private const string Secret = "Host=db;Username=manager;Password=s3cr3t-management-password";

    private static readonly DynamicCredentialOptionsValidator Validator = new([new PostgresDynamicCredentialEngineFactory()]);

    [Fact]
    public void AWellFormedEngine_ShouldBeAccepted()
    {
        var options = new DynamicCredentialOptions();
        var engine = new DynamicCredentialEngineOptions { Kind = "postgresql", ConnectionString = Secret };
        engine.GrantRoles.Add("orders_reader");
        options.Engines["orders-db"] = engine;

        Assert.True(Validator.Validate(null, options).Succeeded);
    }

    [Theory]
    [InlineData("mysql", Secret, null, "orders_reader", "mandate_", "Kind must be one of postgresql")]
    [InlineData("postgresql", Secret, "/no/such/file", "orders_reader", "mandate_", "exactly one")]
    [InlineData("postgresql", null, null, "orders_reader", "mandate_", "exactly one")]
    [InlineData("postgresql", null, "/no/such/file", "orders_reader", "mandate_", "does not exist")]
    [InlineData("postgresql", Secret, null, "orders\"; DROP ROLE x; --", "mandate_", "GrantRoles:0 must be a plain role name")]
    [InlineData("postgresql", Secret, null, "orders_reader", "Bad-Prefix", "RoleNamePrefix")]
    public void ABrokenEngine_ShouldBeRefused_WithoutShowingTheConnectionString(string kind, string? connection, string? file, string role, string prefix, string expected)
    {
        var options = new DynamicCredentialOptions();
        var engine = new DynamicCredentialEngineOptions { Kind = kind, ConnectionString = connection, ConnectionStringFile = file, RoleNamePrefix = prefix };
        engine.GrantRoles.Add(role);
        options.Engines["orders-db"] = engine;

        var result = Validator.Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void TheVerifier_ShouldMatchPostgresFormat_AndDifferBySalt()
    {
        var salt = new byte[16];
        var one = ScramSha256Verifier.Compute("password", 4096, salt);
        var two = ScramSha256Verifier.Compute("password");

        // RFC 7677's SCRAM-SHA-256 keys for "pencil" are computed over a different salt; here: the shape PostgreSQL
        // parses, the same input giving the same verifier, and a fresh salt giving a different one.
        Assert.Matches(@"^SCRAM-SHA-256\$4096:[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}:[A-Za-z0-9+/=]{44}$", one);
        Assert.Equal(one, ScramSha256Verifier.Compute("password", 4096, salt));
        Assert.NotEqual(one, two);
        Assert.Throws<ArgumentException>(() => ScramSha256Verifier.Compute("pass word"));
    }
}
