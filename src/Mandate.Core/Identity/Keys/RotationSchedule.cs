using System.Security.Cryptography.X509Certificates;

namespace Mandate.Core.Identity.Keys;

/// <summary>
/// When the ring needs a new key. A JWT successor is published <see cref="IdentityOptions.KeyPrepublication"/> before
/// it signs; the key it replaces retires then and stays published for <see cref="IdentityOptions.MaxTokenLifetime"/>
/// + skew. A CA is renewed once none has more than a third of its lifetime left.
/// </summary>
internal static class RotationSchedule
{
    /// <summary>When the successor of <paramref name="newest"/> (the newest JWT key) activates, or null when it is not due yet.</summary>
    public static DateTimeOffset? SuccessorActivation(StoredKey newest, DateTimeOffset now, IdentityOptions settings)
    {
        if (newest.ActivatesAt <= now && now >= newest.ActivatesAt + settings.KeyRotationInterval - settings.KeyPrepublication)
        {
            // The newest key signs and is due: publish its successor ahead of activation.
            return Max(newest.ActivatesAt + settings.KeyRotationInterval, now + settings.KeyPrepublication);
        }

        return null;
    }

    /// <summary>Until when a JWT key replaced at <paramref name="activation"/> stays published.</summary>
    public static DateTimeOffset PublishedUntil(DateTimeOffset activation, IdentityOptions settings) =>
        activation + settings.MaxTokenLifetime + settings.ClockSkew;

    /// <summary>
    /// When a new CA activates, or null when a CA has enough lifetime left. <paramref name="initial"/> tells whether
    /// there is no CA at all.
    /// </summary>
    public static DateTimeOffset? AuthorityActivation(IReadOnlyList<StoredKey> keys, DateTimeOffset now, IdentityOptions settings, out bool initial)
    {
        var authorities = keys
            .Where(k => k.Purpose == KeyPurposes.X509Authority && k.Certificate is not null)
            .Select(k => (Key: k, Validity: CertificateValidity(k)))
            .ToList();
        initial = authorities.Count == 0;
        var renewBefore = TimeSpan.FromTicks(settings.CaLifetime.Ticks / 3);
        if (authorities.Any(a => a.Validity.NotAfter - now > renewBefore))
        {
            return null;
        }

        // Like a JWT key, a renewed CA is published at once but signs only from its activation, so relying parties
        // have it in their bundle before they meet a leaf it signed. The CA signing now (whose leaves never outlive
        // it, and which stays published until it expires) hands over at the latest when it expires; with no valid CA
        // left the new one signs at once.
        var signing = authorities
            .Where(a => a.Key.ActivatesAt <= now && a.Validity.NotBefore <= now && now < a.Validity.NotAfter)
            .Select(a => (DateTimeOffset?)a.Validity.NotAfter)
            .Max();
        return signing is { } end ? Min(now + settings.KeyPrepublication, end) : now;
    }

    private static (DateTimeOffset NotBefore, DateTimeOffset NotAfter) CertificateValidity(StoredKey key)
    {
        using var certificate = X509CertificateLoader.LoadCertificate(key.Certificate!);
        return RingKey.ValidityOf(certificate);
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
