using System.Data.Common;
using System.Globalization;
using Mandate.Core.Policies;
using Mandate.Core.Storage;

namespace Mandate.Storage.Relational.Repositories;

[Repository(typeof(IPolicyVersionRepository))]
internal sealed class PolicyVersionRepository(RelationalSession session) : IPolicyVersionRepository
{
    private const string Columns = "seq, version, origin, actor, created_ms, activated_ms, bundle";

    // A version's activation time is its latest activation; rows stored before the history existed were backfilled. The
    // bundle is read as its UTF-8 bytes (a 10,000-policy bundle is tens of megabytes: no string of it is made).
    private string Select =>
        $"""
        SELECT v.seq, v.version, v.origin, v.actor, v.created_ms,
          COALESCE((SELECT MAX(a.activated_ms) FROM policy_activations a WHERE a.version = v.version), v.activated_ms), {session.Dialect.Utf8FromTextSql("v.bundle")}
        FROM policy_versions v
        """;

    private const string ActivationColumns = "seq, version, kind, origin, actor, activated_ms, previous_version";

    public async Task<PolicyActivationRecord> SaveActivationAsync(
        string version,
        string kind,
        string origin,
        string actor,
        PolicyBundle bundle,
        string? previousVersion,
        DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        await session.SerializeAsync("policy_versions", cancellationToken).ConfigureAwait(false);
        var nowMs = now.ToUnixTimeMilliseconds();
        var exists = await session.ScalarAsync("SELECT 1 FROM policy_versions WHERE version = @version", cancellationToken, ("@version", version)).ConfigureAwait(false) is not null;
        if (!exists)
        {
            var next = await NextAsync("policy_versions", cancellationToken).ConfigureAwait(false);
            // The stored form is bound as its UTF-8 bytes and stored as text: the driver makes no UTF-8 copy of a string.
            // The value is let go before the command is disposed: with Microsoft.Data.Sqlite the bytes stayed reachable
            // from the pooled connection until its pool was cleared (policy-heap: 24 MB held after activation).
            var insert = session.Command(
                "INSERT INTO policy_versions (" + Columns + ") VALUES (@seq, @version, @origin, @actor, @now, @now, " + session.Dialect.TextFromUtf8Sql("@bundle") + ")",
                ("@seq", next),
                ("@version", version),
                ("@origin", origin),
                ("@actor", actor),
                ("@now", nowMs),
                ("@bundle", PolicyBundleJson.SerializeToUtf8(bundle)));
            await using (insert.ConfigureAwait(false))
            {
                try
                {
                    await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    insert.Parameters["@bundle"].Value = DBNull.Value;
                }
            }
        }

        var sequence = await NextAsync("policy_activations", cancellationToken).ConfigureAwait(false);
        await session.ExecuteAsync(
            "INSERT INTO policy_activations (" + ActivationColumns + ") VALUES (@seq, @version, @kind, @origin, @actor, @now, @previous)",
            cancellationToken,
            ("@seq", sequence),
            ("@version", version),
            ("@kind", kind),
            ("@origin", origin),
            ("@actor", actor),
            ("@now", nowMs),
            ("@previous", previousVersion)).ConfigureAwait(false);
        if (session.Dialect.Kind == "postgres")
        {
            // Delivered at commit (never for a rolled-back activation): other nodes load the newest activation from the
            // table, so the payload is only a hint that lets a node skip the read when it is already that far.
            await session.ExecuteAsync(
                "SELECT pg_notify(@prefix || current_schema(), @payload)",
                cancellationToken,
                ("@prefix", StoreChannels.Policies),
                ("@payload", sequence.ToString(CultureInfo.InvariantCulture) + " " + version)).ConfigureAwait(false);
        }

        return new PolicyActivationRecord(sequence, version, kind, origin, actor, DateTimeOffset.FromUnixTimeMilliseconds(nowMs), previousVersion) { NewVersion = !exists };
    }

    public async Task<IReadOnlyList<PolicyVersionRecord>> ListAsync(int limit, CancellationToken cancellationToken)
    {
        var command = session.Command(
            Select + " ORDER BY v.seq DESC LIMIT @limit",
            ("@limit", (long)Math.Clamp(limit, 1, 10_000)));
        await using var commandDisposal = command.ConfigureAwait(false);
        return await ReadAllAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public async Task<PolicyVersionRecord?> GetAsync(string version, CancellationToken cancellationToken)
    {
        var command = session.Command(Select + " WHERE v.version = @version", ("@version", version));
        await using var commandDisposal = command.ConfigureAwait(false);
        return (await ReadAllAsync(command, cancellationToken).ConfigureAwait(false)).FirstOrDefault();
    }

    public async Task<PolicyVersionRecord?> GetLastActivatedAsync(CancellationToken cancellationToken)
    {
        var command = session.Command(Select + " WHERE v.version = (SELECT version FROM policy_activations ORDER BY seq DESC LIMIT 1)");
        await using var commandDisposal = command.ConfigureAwait(false);
        return (await ReadAllAsync(command, cancellationToken).ConfigureAwait(false)).FirstOrDefault();
    }

    public async Task<PolicyActivationRecord?> GetLastActivationAsync(CancellationToken cancellationToken) =>
        (await ListActivationsAsync(1, cancellationToken).ConfigureAwait(false)).FirstOrDefault();

    public async Task<IReadOnlyList<PolicyActivationRecord>> ListActivationsAsync(int limit, CancellationToken cancellationToken)
    {
        var command = session.Command(
            "SELECT " + ActivationColumns + " FROM policy_activations ORDER BY seq DESC LIMIT @limit",
            ("@limit", (long)Math.Clamp(limit, 1, 10_000)));
        await using var commandDisposal = command.ConfigureAwait(false);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        var records = new List<PolicyActivationRecord>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            records.Add(new PolicyActivationRecord(
                reader.GetInt64(0),
                reader.GetString(1),
                reader.GetString(2),
                reader.GetString(3),
                reader.GetString(4),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
                reader.IsDBNull(6) ? null : reader.GetString(6)));
        }

        return records;
    }

    private async Task<long> NextAsync(string table, CancellationToken cancellationToken) =>
        Convert.ToInt64(
            await session.ScalarAsync("SELECT COALESCE(MAX(seq), 0) + 1 FROM " + table, cancellationToken).ConfigureAwait(false),
            CultureInfo.InvariantCulture);

    private static async Task<IReadOnlyList<PolicyVersionRecord>> ReadAllAsync(DbCommand command, CancellationToken cancellationToken)
    {
        var records = new List<PolicyVersionRecord>();
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            records.Add(new PolicyVersionRecord(
                reader.GetInt64(0),
                reader.GetString(1),
                reader.GetString(2),
                reader.GetString(3),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)),
                DateTimeOffset.FromUnixTimeMilliseconds(Convert.ToInt64(reader.GetValue(5), CultureInfo.InvariantCulture)),
                PolicyBundleJson.Deserialize((byte[])reader.GetValue(6))));
        }

        return records;
    }
}
