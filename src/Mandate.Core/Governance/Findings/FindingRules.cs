using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Mandate.Core.Governance.Inventory;

namespace Mandate.Core.Governance.Findings;

/// <summary>
/// The findings an inventory holds at a moment: pure, so the same inventory and time always give the same findings.
/// Covers the imported inventory's kinds: <c>no_owner</c>, <c>expired_active</c>, <c>stale</c>,
/// <c>rotation_overdue</c>, <c>long_lived_secret</c>, <c>shared_secret</c>.
/// </summary>
internal static class FindingRules
{
    // Below this many identities one core judges them all: slicing costs more than it saves.
    private const int ParallelThreshold = 4_096;

    private static readonly HashSet<string> StaticSecretKinds = new(StringComparer.Ordinal) { "access_key", "password", "secret" };

    // knownOwners: the owners Mandate knows (FindingService says which); an owner outside them makes the identity
    // orphaned. Null judges no owner (no orphaned findings). departedOwners: those known to have left (offboarded,
    // disabled operators), named as such in the finding.
    public static List<Finding> Evaluate(
        IEnumerable<InventoryEntry> entries, DateTimeOffset now, GovernanceOptions options, IReadOnlySet<string>? knownOwners = null, IReadOnlySet<string>? departedOwners = null)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(options);

        // Each identity is judged alone, so a large inventory is judged in slices on every core; the slices' findings
        // and fingerprinted credentials are joined in inventory order, so the result is the one a single pass gives.
        var list = entries as IReadOnlyList<InventoryEntry> ?? [.. entries];
        var findings = new List<Finding>();
        var fingerprinted = new List<(InventoryEntry Entry, InventoryCredential Credential)>();
        if (list.Count < ParallelThreshold)
        {
            foreach (var entry in list)
            {
                Judge(entry, now, options, knownOwners, departedOwners, findings, fingerprinted);
            }
        }
        else
        {
            var slices = Math.Min(64, list.Count / (ParallelThreshold / 4));
            var sliceFindings = new List<Finding>[slices];
            var sliceFingerprinted = new List<(InventoryEntry Entry, InventoryCredential Credential)>[slices];
            Parallel.For(0, slices, slice =>
            {
                var from = (int)((long)list.Count * slice / slices);
                var to = (int)((long)list.Count * (slice + 1) / slices);
                var own = new List<Finding>((to - from) * 4);
                var ownFingerprinted = new List<(InventoryEntry Entry, InventoryCredential Credential)>();
                for (var i = from; i < to; i++)
                {
                    Judge(list[i], now, options, knownOwners, departedOwners, own, ownFingerprinted);
                }

                sliceFindings[slice] = own;
                sliceFingerprinted[slice] = ownFingerprinted;
            });
            findings.Capacity = sliceFindings.Sum(f => f.Count);
            for (var slice = 0; slice < slices; slice++)
            {
                findings.AddRange(sliceFindings[slice]);
                fingerprinted.AddRange(sliceFingerprinted[slice]);
            }
        }

        var byFingerprint = new Dictionary<string, List<(InventoryEntry Entry, InventoryCredential Credential)>>(StringComparer.Ordinal);
        foreach (var (entry, credential) in fingerprinted)
        {
            if (!byFingerprint.TryGetValue(credential.Fingerprint!, out var holders))
            {
                byFingerprint[credential.Fingerprint!] = holders = [];
            }

            holders.Add((entry, credential));
        }

        foreach (var (fingerprint, holders) in byFingerprint)
        {
            var identities = holders.Select(h => (h.Entry.Source, h.Entry.ExternalId)).Distinct().ToList();
            if (identities.Count < 2)
            {
                continue;
            }

            foreach (var (entry, credential) in holders)
            {
                var others = identities.Where(i => i != (entry.Source, entry.ExternalId)).Select(i => i.ExternalId).Order(StringComparer.Ordinal).ToList();
                findings.Add(Make(FindingKinds.SharedSecret, "high", entry, credential,
                    $"{credential.Slot} of {entry.ExternalId} holds the same secret as {others.Count} other identit{(others.Count == 1 ? "y" : "ies")}.",
                    [FindingEvidence.Field(FieldName(entry, credential, "fingerprint"), fingerprint, entry.Source), .. others.Select(o => FindingEvidence.Field("shared_with", o, entry.Source))],
                    FindingRemediations.SharedSecret));
            }
        }

        return findings;
    }

    private static void Judge(
        InventoryEntry entry,
        DateTimeOffset now,
        GovernanceOptions options,
        IReadOnlySet<string>? knownOwners,
        IReadOnlySet<string>? departedOwners,
        List<Finding> findings,
        List<(InventoryEntry Entry, InventoryCredential Credential)> fingerprinted)
    {
        if (entry.Status != "active")
        {
            return;
        }

        if (entry.Owner is null)
        {
            findings.Add(Make(FindingKinds.NoOwner, "medium", entry, null, $"{entry.ExternalId} has no owner: nobody answers for it.",
                [FindingEvidence.Field("owner", null, entry.Source)],
                FindingRemediations.NoOwner));
        }
        else if (knownOwners is not null && !knownOwners.Contains(entry.Owner))
        {
            var why = departedOwners?.Contains(entry.Owner) == true
                ? "who has left (offboarded, or a disabled operator)"
                : "who is not a known owner (no enabled operator, no owner of a registered identity)";
            findings.Add(Make(FindingKinds.Orphaned, "high", entry, null, $"{entry.ExternalId} is owned by {entry.Owner}, {why}.",
                [FindingEvidence.Field("owner", entry.Owner, entry.Source)],
                FindingRemediations.Orphaned));
        }

        var active = entry.Credentials.Where(c => c.Active).ToList();
        if (entry.ExpiresAt is { } expires && expires <= now && active.Count > 0)
        {
            findings.Add(Make(FindingKinds.ExpiredActive, "high", entry, null, $"{entry.ExternalId} expired at {Time(expires)} but still has {active.Count} active credential(s).",
                [FindingEvidence.Field("expires_at", Time(expires), entry.Source), .. active.Select(c => FindingEvidence.Field(FieldName(entry, c, "active"), "true", entry.Source))],
                "Deactivate its credentials or extend its expiry with a reason."));
        }

        foreach (var credential in active)
        {
            if (credential.ExpiresAt is { } credentialExpires && credentialExpires <= now)
            {
                findings.Add(Make(FindingKinds.ExpiredActive, "high", entry, credential, $"{credential.Slot} of {entry.ExternalId} expired at {Time(credentialExpires)} and is still active.",
                    [FindingEvidence.Field(FieldName(entry, credential, "expires_at"), Time(credentialExpires), entry.Source)],
                    FindingRemediations.ExpiredActiveCredential));
            }

            var lastUse = credential.LastUsedAt ?? credential.CreatedAt ?? credential.LastRotatedAt;
            if (lastUse is { } used && now - used > options.StaleAfter)
            {
                var evidence = new List<FindingEvidence> { FindingEvidence.Field(FieldName(entry, credential, "last_used"), credential.LastUsedAt is { } u ? Time(u) : null, entry.Source) };
                if (credential.LastUsedAt is null)
                {
                    evidence.Add(FindingEvidence.Field(FieldName(entry, credential, "created"), Time(used), entry.Source));
                }

                findings.Add(Make(FindingKinds.Stale, "medium", entry, credential,
                    credential.LastUsedAt is null
                        ? $"{credential.Slot} of {entry.ExternalId} was never used since it was created on {Date(used)} (stale after {Days(options.StaleAfter)} days)."
                        : $"{credential.Slot} of {entry.ExternalId} was last used on {Date(used)} (stale after {Days(options.StaleAfter)} days).",
                    evidence,
                    FindingRemediations.Stale));
            }

            if ((credential.LastRotatedAt ?? credential.CreatedAt) is { } rotated && now - rotated > options.RotateAfter)
            {
                findings.Add(Make(FindingKinds.RotationOverdue, "medium", entry, credential,
                    $"{credential.Slot} of {entry.ExternalId} was last rotated on {Date(rotated)} (rotate every {Days(options.RotateAfter)} days).",
                    [FindingEvidence.Field(FieldName(entry, credential, "last_rotated"), Time(rotated), entry.Source)],
                    FindingRemediations.RotationOverdue));
            }

            if (StaticSecretKinds.Contains(credential.Kind))
            {
                var born = credential.CreatedAt ?? credential.LastRotatedAt;
                if (credential.ExpiresAt is null || (born is { } b && now - b > options.MaxSecretAge))
                {
                    findings.Add(Make(FindingKinds.LongLivedSecret, credential.ExpiresAt is null ? "low" : "medium", entry, credential,
                        credential.ExpiresAt is null
                            ? $"{credential.Slot} of {entry.ExternalId} is a static secret with no expiry."
                            : $"{credential.Slot} of {entry.ExternalId} is a static secret created on {Date(born!.Value)} (at most {Days(options.MaxSecretAge)} days old).",
                        [FindingEvidence.Field(FieldName(entry, credential, "expires_at"), credential.ExpiresAt is { } e ? Time(e) : null, entry.Source),
                         .. born is { } created ? [FindingEvidence.Field(FieldName(entry, credential, "created"), Time(created), entry.Source)] : Array.Empty<FindingEvidence>()],
                        FindingRemediations.LongLivedSecret));
                }
            }

            if (credential.Fingerprint is not null)
            {
                fingerprinted.Add((entry, credential));
            }
        }

        // A scanned secret that had gone from its source (rotated away, it seemed) and came back: the old value is in
        // use again, so the rotation is undone. Its own finding (slot "secret.reappeared"), beside any age-based one.
        if (entry.Labels.TryGetValue(Secrets.SecretRegistry.ReappearedLabel, out var reappeared) && active.Count > 0)
        {
            entry.Labels.TryGetValue(Secrets.SecretRegistry.RemovedBeforeLabel, out var removedBefore);
            findings.Add(new Finding
            {
                Id = Id(FindingKinds.RotationOverdue, entry.Source, entry.ExternalId, "secret.reappeared"),
                Kind = FindingKinds.RotationOverdue,
                Severity = "high",
                Source = entry.Source,
                Identity = entry.ExternalId,
                Owner = entry.Owner,
                Summary = $"{entry.ExternalId} reappeared at {reappeared} after a scan found it removed{(removedBefore is null ? string.Empty : " at " + removedBefore)}: the value it was rotated away from is back.",
                Evidence = [FindingEvidence.Field("labels." + Secrets.SecretRegistry.ReappearedLabel, reappeared, entry.Source),
                    .. removedBefore is null ? Array.Empty<FindingEvidence>() : [FindingEvidence.Field("labels." + Secrets.SecretRegistry.RemovedBeforeLabel, removedBefore, entry.Source)]],
                Remediation = "Rotate the secret at its issuer (the reappeared value must be treated as exposed) and remove it from the source again.",
            });
        }
    }

    /// <summary>The name the source uses for the field: the credential report's column, else the inventory field.</summary>
    private static string FieldName(InventoryEntry entry, InventoryCredential credential, string field)
    {
        if (entry.Source == AwsCredentialReportParser.Source)
        {
            return field switch
            {
                "last_used" => credential.Slot + "_last_used_date",
                "last_rotated" or "created" => credential.Slot + "_last_rotated",
                _ => credential.Slot + "_" + field,
            };
        }

        return field switch
        {
            "last_used" => $"credentials.{credential.Slot}.last_used_at",
            "last_rotated" => $"credentials.{credential.Slot}.last_rotated_at",
            "created" => $"credentials.{credential.Slot}.created_at",
            _ => $"credentials.{credential.Slot}.{field}",
        };
    }

    internal static Finding Make(string kind, string severity, InventoryEntry entry, InventoryCredential? credential, string summary, IReadOnlyList<FindingEvidence> evidence, string remediation) => new()
    {
        Id = Id(kind, entry.Source, entry.ExternalId, credential?.Slot),
        Kind = kind,
        Severity = severity,
        Source = entry.Source,
        Identity = entry.ExternalId,
        Owner = entry.Owner,
        Summary = summary,
        Evidence = evidence,
        Remediation = remediation,
    };

    /// <summary>
    /// <c>fnd_</c> and the first 20 hex digits of the SHA-256 of <c>kind \n source \n identity \n slot</c> (UTF-8).
    /// A recompute makes one per finding, so the text is hashed from a stack buffer rather than built as a string.
    /// </summary>
    public static string Id(string kind, string source, string identity, string? slot)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(identity);
        var max = Encoding.UTF8.GetMaxByteCount(kind.Length + source.Length + identity.Length + (slot?.Length ?? 0) + 3);
        byte[]? rented = null;
        var buffer = max <= 1024 ? stackalloc byte[1024] : (rented = System.Buffers.ArrayPool<byte>.Shared.Rent(max));
        try
        {
            var at = Encoding.UTF8.GetBytes(kind, buffer);
            buffer[at++] = (byte)'\n';
            at += Encoding.UTF8.GetBytes(source, buffer[at..]);
            buffer[at++] = (byte)'\n';
            at += Encoding.UTF8.GetBytes(identity, buffer[at..]);
            buffer[at++] = (byte)'\n';
            at += Encoding.UTF8.GetBytes(slot ?? "", buffer[at..]);
            Span<byte> hash = stackalloc byte[32];
            SHA256.HashData(buffer[..at], hash);
            return "fnd_" + Convert.ToHexStringLower(hash[..10]);
        }
        finally
        {
            if (rented is not null)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    // yyyy-MM-ddTHH:mm:ssZ in UTC: the sortable ("s") form, which formats without parsing a pattern, and a Z.
    internal static string Time(DateTimeOffset t) => string.Create(20, t.UtcDateTime, static (text, utc) =>
    {
        utc.TryFormat(text, out _, "s", CultureInfo.InvariantCulture);
        text[19] = 'Z';
    });

    // Summaries name dates, not "N days ago": the text of a finding stays the same from one day to the next, so an
    // unchanged estate rewrites nothing. yyyy-MM-dd in UTC.
    internal static string Date(DateTimeOffset t) => string.Create(10, t.UtcDateTime, static (text, utc) =>
    {
        Span<char> full = stackalloc char[19];
        utc.TryFormat(full, out _, "s", CultureInfo.InvariantCulture);
        full[..10].CopyTo(text);
    });

    internal static string Days(TimeSpan span) => ((long)span.TotalDays).ToString(CultureInfo.InvariantCulture);
}
