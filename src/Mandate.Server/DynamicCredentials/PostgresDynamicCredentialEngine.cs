using System.Globalization;
using System.Security.Cryptography;
using Mandate.Core.DynamicCredentials;
using Microsoft.IdentityModel.Tokens;
using Npgsql;

namespace Mandate.Server.DynamicCredentials;

/// <summary>
/// PostgreSQL roles as task-bound credentials (as Vault's database secrets engine): connects as the configured management
/// role, creates a <c>LOGIN</c> role whose <c>VALID UNTIL</c> is the lease's end with a random password (sent only as its
/// SCRAM-SHA-256 verifier) and the configured memberships; removal blocks new logins, ends the role's sessions, hands
/// what it owns in the management database to the management role and drops it.
/// </summary>
internal sealed class PostgresDynamicCredentialEngine : IDynamicCredentialEngine, IAsyncDisposable
{
    public const string EngineKind = "postgresql";

    private readonly NpgsqlDataSource dataSource;
    private readonly IReadOnlyList<string> grantRoles;
    private readonly string prefix;

    public PostgresDynamicCredentialEngine(string name, DynamicCredentialEngineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Name = name;
        MaxTtl = options.MaxTtl;
        grantRoles = [.. options.GrantRoles];
        prefix = options.RoleNamePrefix;
        var builder = new NpgsqlConnectionStringBuilder(options.ResolveConnectionString())
        {
            // Each operation is a handful of statements, rarely; no pool of management sessions is kept open downstream.
            Pooling = false,
            ApplicationName = "mandate-dynamic-credentials",
        };
        dataSource = NpgsqlDataSource.Create(builder.ConnectionString);
    }

    public string Name { get; }

    public string Kind => EngineKind;

    public TimeSpan MaxTtl { get; }

    /// <summary>prefix + the task id's random part (8 characters) + 10 random characters: unique, and findable by task.</summary>
    public string NewUsername(string taskId)
    {
        ArgumentNullException.ThrowIfNull(taskId);
        var task = new string(taskId.Replace("task_", string.Empty, StringComparison.Ordinal).ToLowerInvariant().Where(char.IsAsciiLetterOrDigit).Take(8).ToArray());
        var random = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(5));
        return $"{prefix}{task}_{random}";
    }

    public async Task<DynamicCredentialSecret> IssueAsync(DynamicCredentialRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);

        // 256 bits, base64url: printable ASCII, so SCRAM's SASLprep leaves it as it is.
        var password = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        var verifier = ScramSha256Verifier.Compute(password);
        var role = Quote(request.Username);
        var until = Until(request.ExpiresAt);

        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionDisposal = connection.ConfigureAwait(false);
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var transactionDisposal = transaction.ConfigureAwait(false);

        // DDL takes no parameters: the name is quoted as an identifier, the verifier and time are literals of base64,
        // digits and punctuation only, quoted as strings.
        await ExecuteAsync(
            connection,
            $"CREATE ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT PASSWORD {Literal(verifier)} VALID UNTIL {Literal(until)}",
            cancellationToken).ConfigureAwait(false);
        foreach (var granted in grantRoles)
        {
            await ExecuteAsync(connection, $"GRANT {Quote(granted)} TO {role}", cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new DynamicCredentialSecret(request.Username, password);
    }

    public async Task RevokeAsync(string username, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionDisposal = connection.ConfigureAwait(false);
        await using (var exists = new NpgsqlCommand("SELECT 1 FROM pg_roles WHERE rolname = @name", connection))
        {
            exists.Parameters.AddWithValue("name", username);
            if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is null)
            {
                return;
            }
        }

        var role = Quote(username);

        // No new logins first, then end the sessions already open (waiting up to 5 s for each to go), then the grants.
        await ExecuteAsync(connection, $"ALTER ROLE {role} NOLOGIN", cancellationToken).ConfigureAwait(false);
        await using (var terminate = new NpgsqlCommand("SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE usename = @name AND pid <> pg_backend_pid()", connection))
        {
            terminate.Parameters.AddWithValue("name", username);
            await terminate.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        foreach (var granted in grantRoles)
        {
            await ExecuteAsync(connection, $"REVOKE {Quote(granted)} FROM {role}", cancellationToken).ConfigureAwait(false);
        }

        // Objects the role created in this database go to the management role; DROP ROLE then only fails if it owns
        // objects in another database (documented), and the removal is retried and shows in the ledger.
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var transactionDisposal = transaction.ConfigureAwait(false);
        await ExecuteAsync(connection, $"REASSIGN OWNED BY {role} TO CURRENT_USER", cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, $"DROP OWNED BY {role}", cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, $"DROP ROLE IF EXISTS {role}", cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task ExtendAsync(string username, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionDisposal = connection.ConfigureAwait(false);

        // A role that is gone fails here (42704): that is not success, the lease says it should exist.
        await ExecuteAsync(connection, $"ALTER ROLE {Quote(username)} VALID UNTIL {Literal(Until(expiresAt))}", cancellationToken).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => dataSource.DisposeAsync();

    /// <summary>A <c>VALID UNTIL</c> time in UTC, to the second: digits and punctuation only.</summary>
    private static string Until(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'+00'", CultureInfo.InvariantCulture);

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A PostgreSQL identifier, double-quoted (names are validated at start; quoting keeps them inert anyway).</summary>
    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static string Literal(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
}
