using System.Data.Common;
using Mandate.Core.Policies;

namespace Mandate.Storage.Relational.Repositories;

[Repository(typeof(IPolicyVersionRepository))]
internal sealed class PolicyVersionRepository(RelationalSession session) : IPolicyVersionRepository
{
    private const string Columns = "seq, version, origin, actor, created_ms, activated_ms, bundle";

    public async Task<PolicyVersionRecord> SaveActivationAsync(string version, string origin, string actor, PolicyBundle bundle, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await session.SerializeAsync("policy_versions", cancellationToken).ConfigureAwait(false);
        var nowMs = now.ToUnixTimeMilliseconds();
        var updated = await session.ExecuteAsync(
            "UPDATE policy_versions SET activated_ms = @now, origin = @origin, actor = @actor WHERE version = @version",
            cancellationToken,
            ("@now", nowMs),
            ("@origin", origin),
            ("@actor", actor),
            ("@version", version)).ConfigureAwait(false);
        if (updated == 0)
        {
            var next = Convert.ToInt64(
                await session.ScalarAsync("SELECT COALESCE(MAX(seq), 0) + 1 FROM policy_versions", cancellationToken).ConfigureAwait(false),
                System.Globalization.CultureInfo.InvariantCulture);
            await session.ExecuteAsync(
                "INSERT INTO policy_versions (" + Columns + ") VALUES (@seq, @version, @origin, @actor, @now, @now, @bundle)",
                cancellationToken,
                ("@seq", next),
                ("@version", version),
                ("@origin", origin),
                ("@actor", actor),
                ("@now", nowMs),
                ("@bundle", PolicyBundleJson.Serialize(bundle))).ConfigureAwait(false);
        }

        return await GetAsync(version, cancellationToken).ConfigureAwait(false) ?? throw new InvalidOperationException("The policy version just saved cannot be read back.");
    }

    public async Task<IReadOnlyList<PolicyVersionRecord>> ListAsync(int limit, CancellationToken cancellationToken)
    {
        var command = session.Command(
            "SELECT " + Columns + " FROM policy_versions ORDER BY seq DESC LIMIT @limit",
            ("@limit", (long)Math.Clamp(limit, 1, 10_000)));
        await using var commandDisposal = command.ConfigureAwait(false);
        return await ReadAllAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public async Task<PolicyVersionRecord?> GetAsync(string version, CancellationToken cancellationToken)
    {
        var command = session.Command("SELECT " + Columns + " FROM policy_versions WHERE version = @version", ("@version", version));
        await using var commandDisposal = command.ConfigureAwait(false);
        return (await ReadAllAsync(command, cancellationToken).ConfigureAwait(false)).FirstOrDefault();
    }

    public async Task<PolicyVersionRecord?> GetLastActivatedAsync(CancellationToken cancellationToken)
    {
        var command = session.Command("SELECT " + Columns + " FROM policy_versions ORDER BY activated_ms DESC, seq DESC LIMIT 1");
        await using var commandDisposal = command.ConfigureAwait(false);
        return (await ReadAllAsync(command, cancellationToken).ConfigureAwait(false)).FirstOrDefault();
    }

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
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
                PolicyBundleJson.Deserialize(reader.GetString(6))));
        }

        return records;
    }
}
