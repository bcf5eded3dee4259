using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Mandate.Core.Identity.Keys;
using Mandate.Core.Storage;
using Microsoft.Extensions.Options;

namespace Mandate.Core.Identity.X509;

/// <summary>
/// The CRL of revoked X.509-SVIDs, signed by the current CA. Every request reads the revoked serials (an indexed read
/// of the unexpired ones only); a new CRL is signed, under the next number of the store-wide sequence, only when that
/// list, the signing CA or the time (half of <see cref="IdentityOptions.X509CrlValidity"/> passed) says so. So a
/// revocation committed on any node is in the next CRL fetched from any node, and the number only grows.
/// </summary>
internal sealed class X509CrlPublisher(KeyRing keyRing, IMandateStore store, IOptions<IdentityOptions> options, TimeProvider time) : IDisposable
{
    private readonly SemaphoreSlim rebuild = new(1, 1);
    private volatile Published? current;

    public async Task<X509Crl> GetAsync(CancellationToken cancellationToken)
    {
        var revoked = await ReadRevokedAsync(cancellationToken).ConfigureAwait(false);
        if (current is { } fresh && IsCurrent(fresh, revoked))
        {
            return fresh.Crl;
        }

        await rebuild.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (current is { } built && IsCurrent(built, revoked))
            {
                return built.Crl;
            }

            var next = await BuildAsync(cancellationToken).ConfigureAwait(false);
            current = next;
            return next.Crl;
        }
        finally
        {
            rebuild.Release();
        }
    }

    public void Dispose() => rebuild.Dispose();

    private bool IsCurrent(Published published, IReadOnlyList<RevokedX509Serial> revoked)
    {
        var now = time.GetUtcNow();
        var halfLife = (published.Crl.NextUpdate - published.Crl.ThisUpdate) / 2;
        return now < published.Crl.ThisUpdate + halfLife
            && string.Equals(published.IssuerThumbprint, keyRing.CurrentAuthority().Thumbprint, StringComparison.Ordinal)
            && published.Crl.Revoked.SequenceEqual(revoked);
    }

    private async Task<IReadOnlyList<RevokedX509Serial>> ReadRevokedAsync(CancellationToken cancellationToken)
    {
        var session = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        return await session.Get<IX509CrlRepository>().ListRevokedAsync(time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
    }

    private async Task<Published> BuildAsync(CancellationToken cancellationToken)
    {
        var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        var repository = session.Get<IX509CrlRepository>();
        var number = await repository.NextCrlNumberAsync(cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var revoked = await repository.ListRevokedAsync(now, cancellationToken).ConfigureAwait(false);
        await session.CommitAsync(cancellationToken).ConfigureAwait(false);

        var issuer = keyRing.CurrentAuthority();
        var thisUpdate = DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds());
        var nextUpdate = thisUpdate + options.Value.X509CrlValidity;
        var issuerNotAfter = new DateTimeOffset(issuer.NotAfter.ToUniversalTime());
        if (nextUpdate > issuerNotAfter)
        {
            nextUpdate = issuerNotAfter;
        }

        var builder = new CertificateRevocationListBuilder();
        foreach (var entry in revoked)
        {
            builder.AddEntry(Convert.FromHexString(entry.SerialHex), entry.RevokedAt);
        }

        var der = builder.Build(issuer, new BigInteger(number), nextUpdate, HashAlgorithmName.SHA256, thisUpdate: thisUpdate);
        return new Published(new X509Crl(der, number, thisUpdate, nextUpdate, revoked), issuer.Thumbprint);
    }

    private sealed record Published(X509Crl Crl, string IssuerThumbprint);
}
