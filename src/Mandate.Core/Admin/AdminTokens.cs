using System.Security.Cryptography;
using Mandate.Core.Audit;
using Mandate.Core.Credentials;
using Mandate.Core.Storage;
using Microsoft.Extensions.Options;

namespace Mandate.Core.Admin;

/// <summary>
/// The bootstrap admin credential. Only its SHA-256 is stored; the token itself exists once, when it is minted. With
/// <c>Mandate:Admin:BootstrapToken</c> = <c>Disabled</c> it is refused whatever is presented.
/// </summary>
internal sealed class AdminTokens(IMandateStore store, IAuditTrail audit, TimeProvider time, IOptions<AdminOptions> options)
{
    internal const string SettingKey = "admin.token.sha256";

    /// <summary>The bootstrap token's state as last recorded in the ledger (so a change of the setting is recorded once).</summary>
    internal const string StateKey = "admin.bootstrap.state";
    private const string Prefix = "mdt_";
    private volatile byte[]? cachedHash;

    /// <summary>
    /// Mints a token when none exists (or always, when <paramref name="replace"/>), and returns it; returns null when a
    /// token already exists and is kept, because the token itself is never stored and never shown again.
    /// </summary>
    public async Task<string?> EnsureAsync(bool replace, CancellationToken cancellationToken)
    {
        while (true)
        {
            var (settled, token) = await TryEnsureAsync(replace, cancellationToken).ConfigureAwait(false);
            if (settled)
            {
                return token;
            }
        }
    }

    /// <summary>One attempt of <see cref="EnsureAsync"/>; not settled when another node minted the token meanwhile.</summary>
    private async Task<(bool Settled, string? Token)> TryEnsureAsync(bool replace, CancellationToken cancellationToken)
    {
        var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        var settings = session.Get<ISettingsRepository>();
        var existing = await settings.GetAsync(SettingKey, cancellationToken).ConfigureAwait(false);
        if (existing is not null && !replace)
        {
            cachedHash = Convert.FromHexString(existing);
            return (true, null);
        }

        var token = Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        var hash = Hash(token);
        if (existing is not null)
        {
            await settings.SetAsync(SettingKey, Convert.ToHexStringLower(hash), time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        }
        else if (!await settings.TryAddAsync(SettingKey, Convert.ToHexStringLower(hash), time.GetUtcNow(), cancellationToken).ConfigureAwait(false))
        {
            // Nodes of one cluster starting together: another minted the token between the read and this insert. Its
            // token stands (a second one would overwrite its hash and leave its file useless); this node mints none
            // and reads that one's hash in a new transaction (this one is rolled back).
            return (false, null);
        }

        await audit.RecordAsync(
            session,
            new AuditEvent { Type = "admin.token_issued", Actor = "system", Reason = existing is null ? "bootstrap" : "replaced" },
            cancellationToken).ConfigureAwait(false);
        await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        cachedHash = hash;
        return (true, token);
    }

    /// <summary>Whether the bootstrap admin token is accepted at all.</summary>
    public bool Enabled => options.Value.BootstrapToken == BootstrapTokenMode.Enabled;

    /// <summary>
    /// Records in the ledger, once, that the setting changed since the last start (<c>admin.bootstrap_disabled</c> or
    /// <c>admin.bootstrap_enabled</c>); returns whether an event was recorded.
    /// </summary>
    public async Task<bool> RecordStateAsync(CancellationToken cancellationToken)
    {
        var state = Enabled ? "enabled" : "disabled";
        var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        var settings = session.Get<ISettingsRepository>();
        var recorded = await settings.GetAsync(StateKey, cancellationToken).ConfigureAwait(false) ?? "enabled";
        if (recorded == state)
        {
            return false;
        }

        await settings.SetAsync(StateKey, state, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        await audit.RecordAsync(
            session,
            new AuditEvent
            {
                Type = Enabled ? "admin.bootstrap_enabled" : "admin.bootstrap_disabled",
                Actor = "system",
                Reason = "Mandate:Admin:BootstrapToken = " + (Enabled ? "Enabled" : "Disabled"),
            },
            cancellationToken).ConfigureAwait(false);
        await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Constant-time check of a presented admin token; always false while the bootstrap token is disabled.</summary>
    public ValueTask<bool> ValidateAsync(string? presented, CancellationToken cancellationToken) =>
        ValidateAsync(presented.AsMemory(), cancellationToken);

    /// <summary>
    /// <see cref="ValidateAsync(string?, CancellationToken)"/> for a token still inside the header that carried it: the
    /// admin handler runs on every request with a bearer, and checks it without copying it into a string.
    /// </summary>
    public async ValueTask<bool> ValidateAsync(ReadOnlyMemory<char> presented, CancellationToken cancellationToken)
    {
        // Every bootstrap token is minted with the prefix: anything else is not one, and costs no hash to refuse.
        if (!Enabled || presented.IsEmpty || presented.Length > MaxTokenLength || !IsAdminTokenShaped(presented.Span))
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

        return Matches(presented.Span, expected);
    }

    /// <summary>Whether <paramref name="presented"/> could be the bootstrap token (it has the prefix every one is minted with).</summary>
    public static bool IsAdminTokenShaped(string presented) => IsAdminTokenShaped(presented.AsSpan());

    /// <inheritdoc cref="IsAdminTokenShaped(string)"/>
    public static bool IsAdminTokenShaped(ReadOnlySpan<char> presented) => presented.StartsWith(Prefix, StringComparison.Ordinal);

    // Longer than any minted token: refused without being hashed.
    private const int MaxTokenLength = 512;

    /// <summary>Constant-time comparison of the token's SHA-256 with the stored one (no arrays per check).</summary>
    private static bool Matches(ReadOnlySpan<char> presented, byte[] expected)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        TokenHashing.Sha256Utf8(presented, hash);
        return CryptographicOperations.FixedTimeEquals(hash, expected);
    }

    private static byte[] Hash(string token)
    {
        var hash = new byte[SHA256.HashSizeInBytes];
        TokenHashing.Sha256Utf8(token, hash);
        return hash;
    }

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
