using System.Globalization;
using System.Security.Cryptography;
using Mandate.Core.Audit;
using Mandate.Core.Governance.Inventory;
using Mandate.Core.Identity.Keys;
using Mandate.Core.Storage;

namespace Mandate.Core.Secrets;

/// <summary>
/// Records scanned secrets as <c>static_secret</c> identities of the imported inventory (source <c>scan</c>, external id
/// <c>SOURCE#FINGERPRINT</c>, one credential slot <c>secret</c> of kind <c>secret</c> carrying the fingerprint), so the
/// findings the inventory already has apply to them: <c>long_lived_secret</c> (no expiry), <c>rotation_overdue</c> (first
/// committed, or first seen, longer ago than the rotation window), <c>shared_secret</c> (the same fingerprint held by
/// another identity: the same secret in another repository), <c>no_owner</c>. Idempotent by fingerprint; a rescan of
/// the same source marks the fingerprints it no longer sees removed (status <c>disabled</c>, label
/// <c>scan.removed_at</c>) and flags one that comes back (label <c>scan.reappeared_at</c>, a high
/// <c>rotation_overdue</c> finding: the value it was rotated away from is back). Only fingerprints, kinds, public
/// credential ids and locations arrive here; the ledger gets fingerprints and counts.
/// </summary>
internal sealed class SecretRegistry(IMandateStore store, IAuditTrail audit, PrivateKeyProtector protector, TimeProvider time)
{
    public const string Source = "scan";
    public const string Slot = "secret";
    public const int MaxSecrets = 50_000;
    public const int MaxLocations = 1_000;
    public const int MaxSourceLength = 400;

    /// <summary>Locations kept as labels per secret (the scan's own output lists them all).</summary>
    public const int LabelledLocations = 8;

    /// <summary>The label a reappeared secret carries (its time) until a rescan finds it gone again.</summary>
    public const string ReappearedLabel = "scan.reappeared_at";

    /// <summary>When the reappeared secret had been found removed.</summary>
    public const string RemovedBeforeLabel = "scan.removed_before";

    private const string KeySetting = "secrets.fingerprint_key";
    private const string KeyBinding = "secrets-fingerprint-key";

    /// <summary>
    /// The deployment's fingerprint key (created on first use, stored encrypted under the key-encryption key): the CLI
    /// computes HMACs with it locally, so the server never receives a raw value and its fingerprints match across scans.
    /// </summary>
    public async Task<byte[]> FingerprintKeyAsync(CancellationToken cancellationToken)
    {
        var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var settings = session.Get<ISettingsRepository>();
            if (await settings.GetAsync(KeySetting, cancellationToken).ConfigureAwait(false) is not { } stored)
            {
                var fresh = RandomNumberGenerator.GetBytes(SecretFingerprinter.KeyLength);
                await settings.TryAddAsync(KeySetting, Convert.ToBase64String(protector.Protect(KeyBinding, fresh)), time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
                stored = (await settings.GetAsync(KeySetting, cancellationToken).ConfigureAwait(false))!;
                await session.CommitAsync(cancellationToken).ConfigureAwait(false);
            }

            return protector.Unprotect(KeyBinding, Convert.FromBase64String(stored));
        }
    }

    /// <summary>A short public id of the key (the first bytes of its SHA-256), so two scans can tell they used the same key.</summary>
    public static string KeyId(ReadOnlySpan<byte> key) => "fpk_" + Convert.ToHexStringLower(SHA256.HashData(key)[..6]);

    public async Task<SecretRegistrationResult> RegisterAsync(SecretRegistration registration, string actor, string? requestId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registration);
        var now = DateTimeOffset.FromUnixTimeMilliseconds(time.GetUtcNow().ToUnixTimeMilliseconds());
        var stamp = now.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        var prefix = registration.Source + "#";
        var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        var repository = session.Get<IInventoryRepository>();

        // What this source held before: every page of (scan, SOURCE#...).
        var existing = new Dictionary<string, InventoryEntry>(StringComparer.Ordinal);
        (string, string)? after = null;
        while (true)
        {
            var page = await repository.ListAsync(new InventoryQuery { Source = Source, Prefix = prefix, After = after, Limit = 1000 }, cancellationToken).ConfigureAwait(false);
            foreach (var entry in page)
            {
                existing[entry.ExternalId] = entry;
            }

            if (page.Count < 1000)
            {
                break;
            }

            after = (page[^1].Source, page[^1].ExternalId);
        }

        var ids = registration.Secrets.Select(s => s.CredentialId).OfType<string>().ToList();
        var holders = ids.Count == 0 ? [] : (await repository.FindByCredentialIdsAsync(ids, cancellationToken).ConfigureAwait(false)).Where(h => h.Source != Source).ToList();

        var writes = new List<InventoryEntry>();
        var events = new List<AuditEvent>();
        var registered = new List<SecretRegistrationResult.RegisteredSecret>();
        int added = 0, seen = 0, reappeared = 0;
        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (var secret in registration.Secrets)
        {
            var externalId = prefix + secret.Fingerprint;
            if (!present.Add(externalId))
            {
                continue;
            }

            existing.TryGetValue(externalId, out var before);
            var holder = secret.CredentialId is { } cid ? holders.FirstOrDefault(h => h.CredentialId == cid) : null;
            var identity = holder is null ? null : holder.Source + ":" + holder.ExternalId;
            var owner = holder?.Owner ?? registration.Owner ?? before?.Owner;
            var labels = new SortedDictionary<string, string>(StringComparer.Ordinal)
            {
                ["scan.source"] = Truncate(registration.Source),
                ["scan.kind"] = secret.Kind,
                ["scan.locations"] = secret.Locations.Count.ToString(CultureInfo.InvariantCulture),
                ["scan.last_seen"] = stamp,
            };
            for (var i = 0; i < Math.Min(LabelledLocations, secret.Locations.Count); i++)
            {
                var l = secret.Locations[i];
                labels[$"scan.location.{(i + 1).ToString(CultureInfo.InvariantCulture)}"] = Truncate($"{l.File}:{l.Line.ToString(CultureInfo.InvariantCulture)}{(l.Commit is { } c ? "@" + c : string.Empty)}");
            }

            if (identity is not null)
            {
                labels["scan.identity"] = Truncate(identity);
            }

            string status;
            var wasRemoved = before is not null && before.Labels.ContainsKey("scan.removed_at");
            if (before is null)
            {
                status = "new";
                added++;
            }
            else if (wasRemoved)
            {
                status = "reappeared";
                reappeared++;
                labels[ReappearedLabel] = stamp;
                labels[RemovedBeforeLabel] = before.Labels["scan.removed_at"];
            }
            else
            {
                status = "seen";
                seen++;
                if (before.Labels.TryGetValue(ReappearedLabel, out var flagged))
                {
                    // A reappearance stays flagged until the secret is gone again (rotated for real).
                    labels[ReappearedLabel] = flagged;
                    if (before.Labels.TryGetValue(RemovedBeforeLabel, out var removedBefore))
                    {
                        labels[RemovedBeforeLabel] = removedBefore;
                    }
                }
            }

            labels["scan.first_seen"] = before?.Labels.GetValueOrDefault("scan.first_seen") ?? stamp;

            // Exposed since its first commit when the history says so, else since Mandate first saw it.
            var firstSeen = before?.CreatedAt ?? now;
            var born = secret.FirstCommitted is { } committed && committed < firstSeen ? committed : firstSeen;
            writes.Add(new InventoryEntry
            {
                Source = Source,
                ExternalId = externalId,
                Kind = "static_secret",
                Owner = string.IsNullOrWhiteSpace(owner) ? null : owner,
                Purpose = $"{secret.Kind} found by a secret scan of {Truncate(registration.Source)}",
                Status = "active",
                CreatedAt = born,
                Labels = labels,
                Credentials =
                [
                    new InventoryCredential
                    {
                        Slot = Slot,
                        Kind = "secret",
                        CredentialId = secret.CredentialId,
                        Active = true,
                        CreatedAt = born,
                        Fingerprint = secret.Fingerprint,
                    },
                ],
            });
            registered.Add(new SecretRegistrationResult.RegisteredSecret(secret.Fingerprint, status, externalId, identity, owner));
            if (status != "seen")
            {
                events.Add(Event(status == "new" ? "secrets.secret.registered" : "secrets.secret.reappeared", externalId, actor, requestId, new Dictionary<string, string>
                {
                    ["source"] = Truncate(registration.Source),
                    ["fingerprint"] = secret.Fingerprint,
                    ["kind"] = secret.Kind,
                    ["locations"] = secret.Locations.Count.ToString(CultureInfo.InvariantCulture),
                    ["identity"] = identity ?? string.Empty,
                }));
            }
        }

        var removed = new List<SecretRegistrationResult.RemovedSecret>();
        foreach (var (externalId, before) in existing)
        {
            if (present.Contains(externalId) || before.Labels.ContainsKey("scan.removed_at"))
            {
                continue;
            }

            var labels = new SortedDictionary<string, string>(before.Labels.ToDictionary(), StringComparer.Ordinal) { ["scan.removed_at"] = stamp };
            labels.Remove(ReappearedLabel);
            labels.Remove(RemovedBeforeLabel);
            writes.Add(before with
            {
                Status = "disabled",
                Labels = labels,
                Credentials = [.. before.Credentials.Select(c => c with { Active = false })],
            });
            var fingerprint = externalId[prefix.Length..];
            removed.Add(new SecretRegistrationResult.RemovedSecret(fingerprint, now));
            events.Add(Event("secrets.secret.removed", externalId, actor, requestId, new Dictionary<string, string>
            {
                ["source"] = Truncate(registration.Source),
                ["fingerprint"] = fingerprint,
            }));
        }

        if (writes.Count > 0)
        {
            await repository.UpsertAsync(writes, now, cancellationToken).ConfigureAwait(false);
        }

        foreach (var e in events)
        {
            await audit.RecordAsync(session, e, cancellationToken).ConfigureAwait(false);
        }

        var record = await audit.RecordAsync(session, Event("secrets.scan.registered", Truncate(registration.Source), actor, requestId, new Dictionary<string, string>
        {
            ["source"] = Truncate(registration.Source),
            ["history"] = registration.History ? "true" : "false",
            ["secrets"] = registration.Secrets.Count.ToString(CultureInfo.InvariantCulture),
            ["added"] = added.ToString(CultureInfo.InvariantCulture),
            ["seen"] = seen.ToString(CultureInfo.InvariantCulture),
            ["reappeared"] = reappeared.ToString(CultureInfo.InvariantCulture),
            ["removed"] = removed.Count.ToString(CultureInfo.InvariantCulture),
        }), cancellationToken).ConfigureAwait(false);
        await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new SecretRegistrationResult
        {
            Source = registration.Source,
            Added = added,
            Seen = seen,
            Reappeared = reappeared,
            Removed = removed.Count,
            Secrets = registered,
            RemovedSecrets = removed,
            LedgerSequence = record.Sequence,
        };
    }

    private static AuditEvent Event(string type, string subject, string actor, string? requestId, Dictionary<string, string> details) => new()
    {
        Type = type,
        Actor = actor,
        Subject = subject,
        Action = "register",
        RequestId = requestId,
        Details = details,
    };

    // Labels hold at most 256 characters.
    private static string Truncate(string text) => text.Length <= 256 ? text : text[..255] + "…";
}
