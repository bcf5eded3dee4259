using System.Globalization;
using System.Text.Json.Nodes;
using Mandate.Core.Audit;
using Mandate.Core.Credentials;
using Mandate.Core.Governance.Inventory;
using Mandate.Core.Governance.Reviews;
using Mandate.Core.Identity.Inventory;
using Mandate.Core.Operators;
using Mandate.Core.Storage;

namespace Mandate.Core.Governance.Offboarding;

/// <summary>
/// Offboards an owner (a person or team leaving): marks it departed first, so nothing new can be registered or imported
/// for it while the rest runs; then every registered identity it owns is either transferred to the new owner (and put
/// in an access review for them) or offboarded: status <c>offboarded</c> (which stops every SVID and every credential
/// naming it at once), every credential it holds or is the subject of revoked with everything exchanged from them,
/// and its unused join tokens ended. A checkpoint is then signed over the ledger so that every one of those events has
/// an inclusion proof, and the evidence pack (<see cref="EvidencePack"/>) is built, signed with the ledger key, stored
/// and returned.
/// </summary>
internal sealed class OffboardingService(
    IMandateStore store,
    IAuditTrail audit,
    IdentityInventory identities,
    IdentityDirectory directory,
    RevocationService revocations,
    ReviewService reviews,
    AuditCheckpointer checkpointer,
    AuditSigningKeys signingKeys,
    Findings.FindingService findings,
    TimeProvider time)
{
    public const int MaxOwnerLength = 200;
    public const string SvidNote = "no SVID is issued to an offboarded identity, and none it holds validates any more (JWT-SVID and X.509-SVID checks read its status)";
    private static readonly TimeSpan TransferReviewDue = TimeSpan.FromDays(14);

    public async Task<(OffboardingRecord? Record, ReviewError? Error)> OffboardAsync(OffboardingRequest request, string actor, string? requestId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var owner = request.Owner?.Trim();
        var reason = request.Reason?.Trim();
        var transferTo = string.IsNullOrWhiteSpace(request.TransferTo) ? null : request.TransferTo.Trim();
        if (string.IsNullOrEmpty(owner) || owner.Length > MaxOwnerLength || owner.Any(char.IsControl))
        {
            return Fail(ReviewErrorCodes.OffboardingInvalid, $"owner: required, at most {MaxOwnerLength} printable characters.");
        }

        if (string.IsNullOrEmpty(reason) || reason.Length > ReviewService.MaxReasonLength)
        {
            return Fail(ReviewErrorCodes.OffboardingInvalid, $"reason: required (at most {ReviewService.MaxReasonLength} characters): it goes in the ledger and the evidence pack.");
        }

        if (transferTo is not null && (transferTo == owner || transferTo.Length > MaxOwnerLength || transferTo.Any(char.IsControl)))
        {
            return Fail(ReviewErrorCodes.OffboardingInvalid, "transfer_to: another owner than the one offboarded, at most 200 printable characters.");
        }

        var reviewer = string.IsNullOrWhiteSpace(request.Reviewer) ? null : request.Reviewer.Trim();
        if (reviewer is not null)
        {
            if (transferTo is null)
            {
                return Fail(ReviewErrorCodes.OffboardingInvalid, "reviewer: only with transfer_to (the transferred identities are reviewed for their new owner).");
            }

            if (await reviews.CheckReviewerAsync(reviewer, actor, cancellationToken).ConfigureAwait(false) is { } reviewerProblem)
            {
                return (null, reviewerProblem);
            }
        }

        var id = OperatorDirectory.NewId("obd_");
        var now = DateTimeOffset.FromUnixTimeMilliseconds(time.GetUtcNow().ToUnixTimeMilliseconds());
        var resumed = false;
        long startSequence;
        IReadOnlyList<WorkloadIdentity> owned;
        IReadOnlyList<InventoryEntry> imported;

        // 1. Departed first, in one transaction with its ledger event: from here on nothing new is registered for it.
        var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var repository = session.Get<IOffboardingRepository>();
            if (await repository.GetDepartedAsync(owner, cancellationToken).ConfigureAwait(false) is { } departed)
            {
                if (await repository.GetAsync(departed.OffboardingId, cancellationToken).ConfigureAwait(false) is not null)
                {
                    return Fail(ReviewErrorCodes.OwnerDeparted, $"{owner} was offboarded already ({departed.OffboardingId}, {AuditCanonicalForm.FormatTime(departed.DepartedAt)}, by {departed.DepartedBy}).");
                }

                // An offboarding that stopped after the departure (a crash, the store gone): finish it under its own id.
                resumed = true;
                id = departed.OffboardingId;
            }

            if (transferTo is not null && await repository.GetDepartedAsync(transferTo, cancellationToken).ConfigureAwait(false) is not null)
            {
                return Fail(ReviewErrorCodes.OwnerDeparted, $"transfer_to: {transferTo} has departed; nothing can be transferred to it.");
            }

            owned = await OwnedAsync(session, owner, cancellationToken).ConfigureAwait(false);
            imported = await ImportedAsync(session, owner, cancellationToken).ConfigureAwait(false);
            if (owned.Count == 0 && imported.Count == 0)
            {
                // Most likely a typing error: marking a name nobody uses as departed would hide it.
                return Fail(ReviewErrorCodes.OffboardingInvalid, $"owner: {owner} owns no registered or imported identity.");
            }

            startSequence = resumed ? 0 : (await session.Get<IAuditRepository>().GetHeadAsync(cancellationToken).ConfigureAwait(false))?.Sequence ?? 0;
            if (!resumed)
            {
                await repository.MarkDepartedAsync(new DepartedOwner(owner, now, actor, reason, id), cancellationToken).ConfigureAwait(false);
            }

            await audit.RecordAsync(
                session,
                new AuditEvent
                {
                    Type = resumed ? "owner.offboarding_resumed" : "owner.departed",
                    Actor = actor,
                    Action = "offboard",
                    Resource = "owner:" + owner,
                    Reason = reason,
                    RequestId = id,
                    Details = new Dictionary<string, string>(StringComparer.Ordinal)
                    {
                        ["offboarding"] = id, ["owner"] = owner, ["identities"] = owned.Count.ToString(CultureInfo.InvariantCulture), ["http_request"] = requestId ?? string.Empty,
                    },
                },
                cancellationToken).ConfigureAwait(false);
            await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        // Every event of this offboarding, over however many runs, carries its id as request id: that is how the pack finds them.
        var requestTag = id;

        // 2. Each registered identity: transferred, or offboarded with every credential revoked and its join tokens ended.
        var why = $"offboarding {id} of {owner}: {reason}";
        var transferred = new List<WorkloadIdentity>();
        var heldBefore = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var x509 = new Dictionary<string, IReadOnlyList<AuditRecord>>(StringComparer.Ordinal);
        foreach (var identity in owned)
        {
            if (transferTo is not null)
            {
                transferred.Add(await TransferAsync(identity, owner, transferTo, id, reason, actor, requestTag, cancellationToken).ConfigureAwait(false));
                continue;
            }

            if (identity.Status != IdentityStatus.Offboarded)
            {
                var changed = await identities.ChangeStatusAsync(identity.SpiffeId, IdentityStatus.Offboarded, why, actor, requestTag, cancellationToken).ConfigureAwait(false);
                if (changed.Error is { } error && error.Code != Identity.IdentityErrorCodes.IdentityTransitionRefused)
                {
                    throw new InvalidOperationException($"Offboarding {id}: {identity.SpiffeId} could not be offboarded: {error.Message}");
                }
            }

            x509[identity.SpiffeId] = await EnterIssuedSvidsAsync(identity.SpiffeId, cancellationToken).ConfigureAwait(false);
            heldBefore[identity.SpiffeId] = await HeldAsync(identity.SpiffeId, cancellationToken).ConfigureAwait(false);
            await revocations.RevokeAsync(RevocationTargetKind.Identity, identity.SpiffeId, why, actor, requestTag, cancellationToken).ConfigureAwait(false);

            await EndJoinTokensAsync(identity.SpiffeId, id, actor, requestTag, cancellationToken).ConfigureAwait(false);
        }

        ReviewCampaign? review = null;
        if (transferred.Count > 0)
        {
            review = await reviews.StartTransferReviewAsync(transferTo!, transferred, "offboarding:" + id, reviewer, now + TransferReviewDue, actor, requestTag, cancellationToken).ConfigureAwait(false);
        }

        if (imported.Count > 0)
        {
            // The owner's imported identities are orphaned now: say so at once (their finding.opened events join the pack)
            // rather than at the next background round.
            await findings.RecomputeAsync(actor, requestTag, cancellationToken).ConfigureAwait(false);
        }

        // 3. The closing event, a checkpoint over everything, and the evidence.
        await audit.AppendAsync(
            new AuditEvent
            {
                Type = "owner.offboarded",
                Actor = actor,
                Action = "offboard",
                Resource = "owner:" + owner,
                Reason = reason,
                RequestId = requestTag,
                Details = Details(id, owner, transferTo, review?.Id, owned.Count, transferred.Count, imported.Count),
            },
            cancellationToken).ConfigureAwait(false);
        var events = await EventsSinceAsync(startSequence, requestTag, cancellationToken).ConfigureAwait(false);

        // Signed after the events were read, so that every one of them is covered, whatever was appended meanwhile.
        await checkpointer.CheckpointAsync(cancellationToken).ConfigureAwait(false);
        var document = await BuildAsync(id, owner, now, actor, reason, transferTo, review, owned, transferred, heldBefore, x509, imported, events, cancellationToken).ConfigureAwait(false);
        var (publicKey, privateKey) = await signingKeys.CurrentAsync(cancellationToken).ConfigureAwait(false);
        var evidence = EvidencePack.Sign(document, publicKey, privateKey);
        var record = new OffboardingRecord(id, owner, now, actor, evidence);
        var write = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
        await using (write.ConfigureAwait(false))
        {
            await write.Get<IOffboardingRepository>().InsertAsync(record, cancellationToken).ConfigureAwait(false);
            await write.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        return (record, null);
    }

    public async Task<OffboardingRecord?> GetAsync(string id, CancellationToken cancellationToken)
    {
        var session = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        return await session.Get<IOffboardingRepository>().GetAsync(id, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<OffboardingRecord>> ListAsync(int limit, CancellationToken cancellationToken)
    {
        var session = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        return await session.Get<IOffboardingRepository>().ListAsync(limit, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The departure of <paramref name="owner"/>, or null: registration and import refuse a departed owner.</summary>
    public static async Task<DepartedOwner?> DepartedAsync(IStoreSession session, string? owner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        return string.IsNullOrWhiteSpace(owner) ? null : await session.Get<IOffboardingRepository>().GetDepartedAsync(owner.Trim(), cancellationToken).ConfigureAwait(false);
    }

    private async Task<WorkloadIdentity> TransferAsync(WorkloadIdentity identity, string owner, string transferTo, string id, string reason, string actor, string requestTag, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.FromUnixTimeMilliseconds(time.GetUtcNow().ToUnixTimeMilliseconds());
        var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        if (!await session.Get<IOffboardingRepository>().TransferAsync(identity.SpiffeId, owner, transferTo, now, cancellationToken).ConfigureAwait(false))
        {
            throw new InvalidOperationException($"Offboarding {id}: {identity.SpiffeId} changed owner while it ran.");
        }

        await session.Get<IIdentityRepository>().NotifyChangedAsync(identity.SpiffeId, cancellationToken).ConfigureAwait(false);
        await audit.RecordAsync(
            session,
            new AuditEvent
            {
                Type = "identity.transferred",
                Actor = actor,
                Subject = identity.SpiffeId,
                Action = "transfer",
                Reason = reason,
                RequestId = requestTag,
                Details = new Dictionary<string, string>(StringComparer.Ordinal) { ["offboarding"] = id, ["from"] = owner, ["to"] = transferTo },
            },
            cancellationToken).ConfigureAwait(false);
        await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        var updated = identity with { Owner = transferTo, UpdatedAt = now };
        directory.Apply(updated);
        return updated;
    }

    private async Task EndJoinTokensAsync(string spiffeId, string id, string actor, string requestTag, CancellationToken cancellationToken)
    {
        var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        var ended = await session.Get<IOffboardingRepository>().EndJoinTokensAsync(spiffeId, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        await audit.RecordAsync(
            session,
            new AuditEvent
            {
                Type = "identity.join_tokens_revoked",
                Actor = actor,
                Subject = spiffeId,
                Action = "revoke",
                RequestId = requestTag,
                Details = new Dictionary<string, string>(StringComparer.Ordinal) { ["offboarding"] = id, ["count"] = ended.ToString(CultureInfo.InvariantCulture) },
            },
            cancellationToken).ConfigureAwait(false);
        await session.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// JWT-SVIDs are recorded only as ledger events at issuance: each one of <paramref name="spiffeId"/> still unexpired
    /// is entered in the credential store (kind <c>svid</c>, as a presented one would be) so that the identity's
    /// revocation reaches it by <c>jti</c>; so is an unexpired X.509-SVID issued before they were recorded at issuance
    /// (kind <c>x509_svid</c>). Returns the unexpired X.509-SVIDs' issuance events, for the pack.
    /// </summary>
    private async Task<IReadOnlyList<AuditRecord>> EnterIssuedSvidsAsync(string spiffeId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var issued = new List<AuditRecord>();
        var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        var audits = session.Get<IAuditRepository>();
        long after = 0;
        while (true)
        {
            var page = await audits.QueryAsync(new AuditQuery { Identity = spiffeId, Type = "identity.", AfterSequence = after, Limit = AuditQuery.MaxLimit }, cancellationToken).ConfigureAwait(false);
            issued.AddRange(page.Where(r => r.Event.Subject == spiffeId && r.Event.Type is "identity.jwt_svid_issued" or "identity.x509_svid_issued"));
            if (page.Count < AuditQuery.MaxLimit)
            {
                break;
            }

            after = page[^1].Sequence;
        }

        var credentials = session.Get<ICredentialRepository>();
        var x509 = new List<AuditRecord>();
        foreach (var record in issued)
        {
            if (record.Event.Details?.GetValueOrDefault("expires_at") is not { } expiresText
                || !DateTimeOffset.TryParse(expiresText, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var expiresAt)
                || expiresAt <= now)
            {
                continue;
            }

            if (record.Event.Type == "identity.x509_svid_issued")
            {
                x509.Add(record);

                // Issued before X.509-SVIDs were recorded as credentials: entered now so that the revocation lists its serial in the CRL.
                if (record.Event.Details.GetValueOrDefault("serial") is { Length: > 0 } serial
                    && await credentials.GetAsync(CredentialKinds.X509SvidJti(serial), cancellationToken).ConfigureAwait(false) is null)
                {
                    await credentials.InsertAsync(
                        new CredentialRecord
                        {
                            Jti = CredentialKinds.X509SvidJti(serial),
                            Kind = CredentialKinds.X509Svid,
                            Subject = spiffeId,
                            Holder = spiffeId,
                            IssuedAt = record.Time,
                            ExpiresAt = expiresAt,
                            ProofOfPossession = record.Event.Details.GetValueOrDefault("sha256") is { Length: 64 } sha256
                                ? new ProofOfPossession(ProofOfPossession.Methods.X509, System.Buffers.Text.Base64Url.EncodeToString(Convert.FromHexString(sha256)))
                                : null,
                        },
                        cancellationToken).ConfigureAwait(false);
                }

                continue;
            }

            if (record.Event.CredentialId is { } jti && await credentials.GetAsync(jti, cancellationToken).ConfigureAwait(false) is null)
            {
                await credentials.InsertAsync(
                    new CredentialRecord
                    {
                        Jti = jti,
                        Kind = CredentialKinds.Svid,
                        Subject = spiffeId,
                        Holder = spiffeId,
                        Audiences = record.Event.Details.GetValueOrDefault("audience")?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [],
                        IssuedAt = record.Time,
                        ExpiresAt = expiresAt,
                    },
                    cancellationToken).ConfigureAwait(false);
            }
        }

        await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        return x509;
    }

    private async Task<IReadOnlyList<string>> HeldAsync(string spiffeId, CancellationToken cancellationToken)
    {
        var session = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        return await session.Get<ICredentialRepository>().ListJtisHeldByAsync([spiffeId], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>This offboarding's ledger events (tagged with its request id) appended after <paramref name="after"/>.</summary>
    private async Task<List<AuditRecord>> EventsSinceAsync(long after, string requestTag, CancellationToken cancellationToken)
    {
        var session = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        var repository = session.Get<IAuditRepository>();
        var result = new List<AuditRecord>();
        while (true)
        {
            var page = await repository.QueryAsync(new AuditQuery { AfterSequence = after, Limit = AuditQuery.MaxLimit }, cancellationToken).ConfigureAwait(false);
            result.AddRange(page.Where(r => r.Event.RequestId == requestTag));
            if (page.Count < AuditQuery.MaxLimit)
            {
                return result;
            }

            after = page[^1].Sequence;
        }
    }

    private async Task<JsonObject> BuildAsync(
        string id,
        string owner,
        DateTimeOffset now,
        string actor,
        string reason,
        string? transferTo,
        ReviewCampaign? review,
        IReadOnlyList<WorkloadIdentity> owned,
        IReadOnlyList<WorkloadIdentity> transferred,
        Dictionary<string, IReadOnlyList<string>> heldBefore,
        Dictionary<string, IReadOnlyList<AuditRecord>> x509,
        IReadOnlyList<InventoryEntry> imported,
        List<AuditRecord> events,
        CancellationToken cancellationToken)
    {
        var cited = new SortedSet<long>();
        var identityNodes = new JsonArray();
        var revokedByJti = events.Where(e => e.Event.Type == "credential.revoked" && e.Event.CredentialId is not null)
            .GroupBy(e => e.Event.CredentialId!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var session = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var credentials = session.Get<ICredentialRepository>();
            var audits = session.Get<IAuditRepository>();
            var stored = session.Get<IIdentityRepository>();
            foreach (var identity in owned)
            {
                var final = await stored.GetAsync(identity.SpiffeId, cancellationToken).ConfigureAwait(false) ?? identity;
                var isTransferred = transferred.Any(t => t.SpiffeId == identity.SpiffeId);
                var statusEvent = events.LastOrDefault(e => e.Event.Subject == identity.SpiffeId && e.Event.Type is "identity.offboarded" or "identity.transferred");
                var node = new JsonObject
                {
                    ["id"] = identity.SpiffeId,
                    ["kind"] = NhiKinds.Name(identity.Kind),
                    ["disposition"] = isTransferred ? "transferred" : "offboarded",
                    ["status"] = IdentityStatuses.Name(final.Status),
                    ["owner"] = final.Owner,
                    ["status_seq"] = statusEvent?.Sequence,
                };
                if (statusEvent is null && !isTransferred)
                {
                    // Offboarded before this run: its own offboarding event is the evidence.
                    var earlier = await audits.QueryAsync(new AuditQuery { Identity = identity.SpiffeId, Type = "identity.offboarded", Limit = 1 }, cancellationToken).ConfigureAwait(false);
                    node["status_seq"] = earlier.FirstOrDefault()?.Sequence;
                }

                if (node["status_seq"] is JsonValue statusSeq)
                {
                    cited.Add(statusSeq.GetValue<long>());
                }

                var credentialNodes = new JsonArray();
                foreach (var jti in heldBefore.GetValueOrDefault(identity.SpiffeId) ?? [])
                {
                    if (await credentials.GetAsync(jti, cancellationToken).ConfigureAwait(false) is not { } credential)
                    {
                        continue;
                    }

                    var revokedEvent = revokedByJti.GetValueOrDefault(jti)
                        ?? (await audits.QueryAsync(new AuditQuery { CredentialId = jti, Type = "credential.revoked", Limit = 1 }, cancellationToken).ConfigureAwait(false)).FirstOrDefault();
                    var state = credential.RevokedAt is not null ? "revoked" : credential.ExpiresAt <= now ? "expired" : "active";
                    var credentialNode = new JsonObject
                    {
                        ["jti"] = jti,
                        ["kind"] = credential.Kind,
                        ["issued_at"] = AuditCanonicalForm.FormatTime(credential.IssuedAt),
                        ["expires_at"] = AuditCanonicalForm.FormatTime(credential.ExpiresAt),
                        ["state"] = state,
                    };
                    if (credential.RevokedAt is { } revokedAt)
                    {
                        credentialNode["revoked_at"] = AuditCanonicalForm.FormatTime(revokedAt);
                        credentialNode["seq"] = revokedEvent?.Sequence;
                        if (revokedEvent is not null)
                        {
                            cited.Add(revokedEvent.Sequence);
                        }
                    }

                    credentialNodes.Add(credentialNode);
                }

                node["credentials"] = credentialNodes;
                if (x509.TryGetValue(identity.SpiffeId, out var certificates))
                {
                    // X.509-SVIDs are not bearer tokens Mandate can list as revoked: the identity's status refuses them.
                    var certificateNodes = new JsonArray();
                    foreach (var issuedEvent in certificates)
                    {
                        certificateNodes.Add(new JsonObject
                        {
                            ["serial"] = issuedEvent.Event.Details!["serial"],
                            ["expires_at"] = issuedEvent.Event.Details["expires_at"],
                            ["state"] = "refused: identity offboarded",
                            ["issued_seq"] = issuedEvent.Sequence,
                        });
                        cited.Add(issuedEvent.Sequence);
                    }

                    node["x509_svids"] = certificateNodes;
                }

                if (!isTransferred)
                {
                    var joinEvent = events.LastOrDefault(e => e.Event.Type == "identity.join_tokens_revoked" && e.Event.Subject == identity.SpiffeId);
                    node["join_tokens_revoked"] = joinEvent is null ? 0 : int.Parse(joinEvent.Event.Details!["count"], CultureInfo.InvariantCulture);
                    node["join_tokens_seq"] = joinEvent?.Sequence;
                    node["svids"] = SvidNote;
                    if (joinEvent is not null)
                    {
                        cited.Add(joinEvent.Sequence);
                    }
                }

                identityNodes.Add(node);
            }
        }

        // Every event of this run is proven, and so is each earlier one the pack cites.
        foreach (var e in events)
        {
            cited.Add(e.Sequence);
        }

        var ledger = new JsonArray();
        var proofs = await EvidenceProofs.BuildAsync(store, cited, cancellationToken).ConfigureAwait(false);
        foreach (var seq in cited)
        {
            var proof = proofs[seq];
            using var body = System.Text.Json.JsonDocument.Parse(proof.CanonicalJson);
            ledger.Add(new JsonObject
            {
                ["seq"] = seq,
                ["type"] = body.RootElement.GetProperty("type").GetString(),
                ["proof"] = EvidencePack.ProofNode(proof),
            });
        }

        var external = new JsonArray();
        foreach (var entry in imported)
        {
            var creds = new JsonArray();
            foreach (var c in entry.Credentials)
            {
                creds.Add(new JsonObject { ["slot"] = c.Slot, ["id"] = c.CredentialId, ["kind"] = c.Kind, ["active"] = c.Active });
            }

            external.Add(new JsonObject
            {
                ["source"] = entry.Source,
                ["id"] = entry.ExternalId,
                ["status"] = entry.Status,
                ["credentials"] = creds,
                ["note"] = $"imported from {entry.Source}: Mandate does not issue these credentials; disable them at the source (the identity is now orphaned and reported as a finding)",
            });
        }

        return new JsonObject
        {
            ["format"] = EvidencePack.Format,
            ["version"] = EvidencePack.FormatVersion,
            ["id"] = id,
            ["owner"] = owner,
            ["time"] = AuditCanonicalForm.FormatTime(now),
            ["operator"] = actor,
            ["reason"] = reason,
            ["transfer_to"] = transferTo,
            ["review"] = review?.Id,
            ["identities"] = identityNodes,
            ["external_identities"] = external,
            ["ledger"] = ledger,
        };
    }

    private static Dictionary<string, string> Details(string id, string owner, string? transferTo, string? review, int owned, int transferred, int imported)
    {
        var details = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["offboarding"] = id,
            ["owner"] = owner,
            ["identities"] = owned.ToString(CultureInfo.InvariantCulture),
            ["transferred"] = transferred.ToString(CultureInfo.InvariantCulture),
            ["external_identities"] = imported.ToString(CultureInfo.InvariantCulture),
        };
        if (transferTo is not null)
        {
            details["transfer_to"] = transferTo;
        }

        if (review is not null)
        {
            details["review"] = review;
        }

        return details;
    }

    private static async Task<IReadOnlyList<WorkloadIdentity>> OwnedAsync(IStoreSession session, string owner, CancellationToken cancellationToken) =>
        await session.Get<IIdentityRepository>().ListAllAsync(new IdentityQuery { Owner = owner }, cancellationToken).ConfigureAwait(false);

    private static async Task<IReadOnlyList<InventoryEntry>> ImportedAsync(IStoreSession session, string owner, CancellationToken cancellationToken)
    {
        var repository = session.Get<IInventoryRepository>();
        var result = new List<InventoryEntry>();
        (string, string)? after = null;
        while (true)
        {
            var page = await repository.ListAsync(new InventoryQuery { Owner = owner, After = after, Limit = 1000 }, cancellationToken).ConfigureAwait(false);
            result.AddRange(page);
            if (page.Count < 1000)
            {
                return result;
            }

            after = (page[^1].Source, page[^1].ExternalId);
        }
    }

    private static (OffboardingRecord?, ReviewError?) Fail(string code, string message) => (null, new ReviewError(code, message));
}
