using System.Security.Cryptography;
using System.Text;
using Mandate.Core.Audit;
using Mandate.Core.Storage;

namespace Mandate.Core.Admin;

/// <summary>
/// The bootstrap admin credential. Only its SHA-256 is stored; the token itself exists once, when it is minted.
/// </summary>
internal sealed class AdminTokens(IMandateStore store, IAuditTrail audit, TimeProvider time)
{
    internal const string SettingKey = "admin.token.sha256";
    private const string Prefix = "mdt_";
    private volatile byte[]? cachedHash;

    /// <summary>
    /// Mints a token when none exists (or always, when <paramref name="replace"/>), and returns it; returns null when a
    /// token already exists and is kept, because the token itself is never stored and never shown again.
    /// </summary>
    public async Task<string?> EnsureAsync(bool replace, CancellationToken cancellationToken)
    {
        var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        var settings = session.Get<ISettingsRepository>();
        var existing = await settings.GetAsync(SettingKey, cancellationToken).ConfigureAwait(false);
        if (existing is not null && !replace)
        {
            cachedHash = Convert.FromHexString(existing);
            return null;
        }

        var token = Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        var hash = Hash(token);
        await settings.SetAsync(SettingKey, Convert.ToHexStringLower(hash), time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        await audit.RecordAsync(
            session,
            new AuditEvent { Type = "admin.token_issued", Actor = "system", Reason = existing is null ? "bootstrap" : "replaced" },
            cancellationToken).ConfigureAwait(false);
        await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        cachedHash = hash;
        return token;
    }

    /// <summary>Constant-time check of a presented admin token.</summary>
    public async ValueTask<bool> ValidateAsync(string? presented, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(presented) || presented.Length > 512)
        {
            return false;
        }

        var expected = cachedHash;
        if (expected is null)
        {
            var session = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
            await using var sessionDisposal = session.ConfigureAwait(false);
            var stored = await session.Get<ISettingsRepository>().GetAsync(SettingKey, cancellationToken).ConfigureAwait(false);
            if (stored is null)
            {
                return false;
            }

            expected = Convert.FromHexString(stored);
            cachedHash = expected;
        }

        return CryptographicOperations.FixedTimeEquals(Hash(presented), expected);
    }

    private static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
