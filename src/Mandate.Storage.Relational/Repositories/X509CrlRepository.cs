using System.Globalization;
using Mandate.Core.Credentials;
using Mandate.Core.Identity.X509;

namespace Mandate.Storage.Relational.Repositories;

[Repository(typeof(IX509CrlRepository))]
internal sealed class X509CrlRepository(RelationalSession session) : IX509CrlRepository
{
    private const int JtiPrefixLength = 5; // "x509:"
    private const int ChunkSize = 400;

    public async Task<IReadOnlyList<RevokedX509Serial>> ListRevokedAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var command = session.Command(
            "SELECT jti, revoked_at FROM credentials WHERE kind = @kind AND revoked_at IS NOT NULL AND expires_at > @now ORDER BY jti",
            ("@kind", CredentialKinds.X509Svid),
            ("@now", now.ToUnixTimeMilliseconds()));
        await using var commandDisposal = command.ConfigureAwait(false);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        var result = new List<RevokedX509Serial>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var jti = reader.GetString(0);
            result.Add(new RevokedX509Serial(
                jti[JtiPrefixLength..],
                DateTimeOffset.FromUnixTimeMilliseconds(Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture))));
        }

        return result;
    }

    public async Task<IReadOnlyList<string>> ListLiveJtisAsync(string spiffeId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var command = session.Command(
            "SELECT jti FROM credentials WHERE subject = @subject AND kind = @kind AND revoked_at IS NULL AND expires_at > @now ORDER BY jti",
            ("@subject", spiffeId),
            ("@kind", CredentialKinds.X509Svid),
            ("@now", now.ToUnixTimeMilliseconds()));
        await using var commandDisposal = command.ConfigureAwait(false);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        var result = new List<string>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            result.Add(reader.GetString(0));
        }

        return result;
    }

    public async Task<IReadOnlyList<string>> ListBoundJtisAsync(IReadOnlyCollection<string> thumbprints, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(thumbprints);
        var result = new List<string>();
        foreach (var chunk in thumbprints.Distinct(StringComparer.Ordinal).Chunk(ChunkSize))
        {
            var names = new string[chunk.Length];
            var parameters = new List<(string, object?)> { ("@method", ProofOfPossession.Methods.X509), ("@kind", CredentialKinds.X509Svid) };
            for (var i = 0; i < chunk.Length; i++)
            {
                names[i] = "@t" + i.ToString(CultureInfo.InvariantCulture);
                parameters.Add((names[i], chunk[i]));
            }

            var command = session.Command(
                $"SELECT jti FROM credentials WHERE cnf_thumbprint IN ({string.Join(", ", names)}) AND cnf_method = @method AND kind <> @kind AND revoked_at IS NULL ORDER BY jti",
                [.. parameters]);
            await using var commandDisposal = command.ConfigureAwait(false);
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var readerDisposal = reader.ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                result.Add(reader.GetString(0));
            }
        }

        return result;
    }

    public async Task<long> NextCrlNumberAsync(CancellationToken cancellationToken)
    {
        var value = await session.ScalarAsync(
            "UPDATE x509_crl_number SET last_number = last_number + 1 WHERE id = 1 RETURNING last_number",
            cancellationToken).ConfigureAwait(false);
        return Convert.ToInt64(value, CultureInfo.InvariantCulture);
    }
}
