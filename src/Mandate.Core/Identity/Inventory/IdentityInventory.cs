using System.Globalization;
using System.Text.RegularExpressions;
using Mandate.Core.Audit;
using Mandate.Core.Credentials;
using Mandate.Core.Storage;
using Microsoft.Extensions.Options;

namespace Mandate.Core.Identity.Inventory;

/// <summary>
/// Registers identities and moves them through their lifecycle. Every change and its audit event commit in one
/// transaction; the in-memory <see cref="IdentityDirectory"/> is updated after the commit.
/// </summary>
internal sealed partial class IdentityInventory(
    IMandateStore store,
    IAuditTrail audit,
    IdentityDirectory directory,
    IOptions<IdentityOptions> options,
    TimeProvider time,
    RevocationService revocations)
{
    public const int MaxLabels = 32;
    private const int MaxOwnerLength = 200;
    private const int MaxPurposeLength = 1000;
    private const int MaxEnvironmentLength = 64;
    private const int MaxLabelValueLength = 256;

    public async Task<IdentityResult> RegisterAsync(IdentityRegistration registration, string actor, string? requestId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registration);
        var now = time.GetUtcNow();
        var (identity, error) = Validate(registration, now);
        if (error is not null)
        {
            return new IdentityResult(null, error);
        }

        var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        var repository = session.Get<IIdentityRepository>();
        if (await Governance.Offboarding.OffboardingService.DepartedAsync(session, identity!.Owner, cancellationToken).ConfigureAwait(false) is { } departed)
        {
            return IdentityResult.Fail(
                Governance.Reviews.ReviewErrorCodes.OwnerDeparted,
                $"owner: {departed.Owner} was offboarded ({departed.OffboardingId}); nothing new can be registered to it.");
        }

        if (!await repository.InsertAsync(identity!, cancellationToken).ConfigureAwait(false))
        {
            return IdentityResult.Fail(IdentityErrorCodes.IdentityExists, $"The identity {identity!.SpiffeId} is already registered.");
        }

        await repository.NotifyChangedAsync(identity!.SpiffeId, cancellationToken).ConfigureAwait(false);

        await audit.RecordAsync(
            session,
            new AuditEvent
            {
                Type = "identity.registered",
                Actor = actor,
                Subject = identity!.SpiffeId,
                Action = "register",
                RequestId = requestId,
                Details = new Dictionary<string, string>
                {
                    ["kind"] = NhiKinds.Name(identity.Kind),
                    ["owner"] = identity.Owner,
                    ["environment"] = identity.Environment,
                    ["expires_at"] = identity.ExpiresAt.ToString("O", CultureInfo.InvariantCulture),
                },
            },
            cancellationToken).ConfigureAwait(false);
        await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        directory.Apply(identity);
        return IdentityResult.Ok(identity);
    }

    public async Task<WorkloadIdentity?> GetAsync(string spiffeId, CancellationToken cancellationToken)
    {
        var session = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        return await session.Get<IIdentityRepository>().GetAsync(spiffeId, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<WorkloadIdentity>> ListAsync(IdentityQuery query, CancellationToken cancellationToken)
    {
        var session = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        return await session.Get<IIdentityRepository>().ListAsync(query, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Moves an identity to <paramref name="target"/> if its lifecycle allows it; audited with the reason.</summary>
    public async Task<IdentityResult> ChangeStatusAsync(string spiffeId, IdentityStatus target, string? reason, string actor, string? requestId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        var repository = session.Get<IIdentityRepository>();
        var current = await repository.GetAsync(spiffeId, cancellationToken).ConfigureAwait(false);
        if (current is null)
        {
            return IdentityResult.Fail(IdentityErrorCodes.IdentityUnknown, $"The identity {spiffeId} is not in the inventory.");
        }

        if (!IdentityStatuses.CanTransition(current.Status, target))
        {
            return IdentityResult.Fail(
                IdentityErrorCodes.IdentityTransitionRefused,
                $"The identity {spiffeId} is {IdentityStatuses.Name(current.Status)} and cannot become {IdentityStatuses.Name(target)}.");
        }

        var trimmedReason = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim();
        if (trimmedReason is { Length: > MaxPurposeLength })
        {
            return IdentityResult.Fail(IdentityErrorCodes.IdentityInvalid, $"The reason is longer than {MaxPurposeLength} characters.");
        }

        if (!await repository.UpdateStatusAsync(spiffeId, current.Status, target, trimmedReason, now, cancellationToken).ConfigureAwait(false))
        {
            return IdentityResult.Fail(
                IdentityErrorCodes.IdentityTransitionRefused,
                $"The identity {spiffeId} was changed by another request while this one ran; read it again and retry if the change is still wanted.");
        }

        await repository.NotifyChangedAsync(spiffeId, cancellationToken).ConfigureAwait(false);
        var verb = target switch
        {
            IdentityStatus.Active => "reactivated",
            IdentityStatus.Suspended => "suspended",
            IdentityStatus.Revoked => "revoked",
            _ => "offboarded",
        };
        await audit.RecordAsync(
            session,
            new AuditEvent
            {
                Type = "identity." + verb,
                Actor = actor,
                Subject = spiffeId,
                Action = verb,
                Reason = trimmedReason,
                RequestId = requestId,
                Details = new Dictionary<string, string> { ["from"] = IdentityStatuses.Name(current.Status), ["to"] = IdentityStatuses.Name(target) },
            },
            cancellationToken).ConfigureAwait(false);
        if (target is not IdentityStatus.Active)
        {
            // The status refuses the identity at Mandate at once; a relying party that validates its X.509-SVIDs with the
            // trust bundle learns of it only from the CRL. Revoked for good: a reactivated workload asks for new ones.
            await revocations.RevokeX509SvidsAsync(session, spiffeId, $"identity {verb}" + (trimmedReason is null ? string.Empty : ": " + trimmedReason), actor, requestId, cancellationToken).ConfigureAwait(false);
            await revocations.IdentityDeactivatedAsync(session, spiffeId, $"identity {verb}", cancellationToken).ConfigureAwait(false);
        }

        await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        var updated = current with { Status = target, StatusReason = trimmedReason, UpdatedAt = now };
        directory.Apply(updated);
        return IdentityResult.Ok(updated);
    }

    private (WorkloadIdentity? Identity, IdentityError? Error) Validate(IdentityRegistration r, DateTimeOffset now)
    {
        var settings = options.Value;
        static (WorkloadIdentity?, IdentityError?) Fail(string code, string message) => (null, new IdentityError(code, message));

        if (!SpiffeId.TryParse(r.SpiffeId, out var id, out var idError))
        {
            return Fail(IdentityErrorCodes.InvalidSpiffeId, $"spiffe_id: {idError}.");
        }

        if (!id.IsMemberOf(settings.TrustDomain))
        {
            return Fail(IdentityErrorCodes.InvalidSpiffeId, $"spiffe_id: {id} is not in the trust domain {settings.TrustDomain}.");
        }

        if (!id.HasPath)
        {
            return Fail(IdentityErrorCodes.InvalidSpiffeId, "spiffe_id: a workload's SPIFFE ID needs a path (the bare trust domain names no workload).");
        }

        if (!NhiKinds.TryParse(r.Kind, out var kind))
        {
            return Fail(IdentityErrorCodes.IdentityInvalid, $"kind: must be one of {string.Join(", ", NhiKinds.All)}.");
        }

        if (string.IsNullOrWhiteSpace(r.Owner) || r.Owner.Trim().Length > MaxOwnerLength)
        {
            return Fail(IdentityErrorCodes.IdentityInvalid, $"owner: required (a person or team, at most {MaxOwnerLength} characters); no identity without an owner.");
        }

        if (string.IsNullOrWhiteSpace(r.Purpose) || r.Purpose.Trim().Length > MaxPurposeLength)
        {
            return Fail(IdentityErrorCodes.IdentityInvalid, $"purpose: required (at most {MaxPurposeLength} characters); no identity without a purpose.");
        }

        var environment = string.IsNullOrWhiteSpace(r.Environment) ? "production" : r.Environment.Trim();
        if (environment.Length > MaxEnvironmentLength || !LabelKey().IsMatch(environment))
        {
            return Fail(IdentityErrorCodes.IdentityInvalid, "environment: letters, digits, '.', '_', '-' or '/', at most 64 characters.");
        }

        if (r.ExpiresAt is not null && r.Ttl is not null)
        {
            return Fail(IdentityErrorCodes.IdentityInvalid, "give either expires_at or ttl, not both.");
        }

        DateTimeOffset expiresAt;
        if (r.ExpiresAt is { } at)
        {
            expiresAt = at;
        }
        else if (r.Ttl is { } ttl)
        {
            if (ttl <= TimeSpan.Zero)
            {
                return Fail(IdentityErrorCodes.IdentityInvalid, "ttl: must be positive.");
            }

            expiresAt = ttl > settings.MaxIdentityLifetime ? DateTimeOffset.MaxValue : now + ttl;
        }
        else
        {
            return Fail(IdentityErrorCodes.IdentityInvalid, "expires_at (or ttl): required; no identity without an expiry.");
        }

        if (expiresAt <= now)
        {
            return Fail(IdentityErrorCodes.IdentityInvalid, "expires_at: must be in the future.");
        }

        if (expiresAt > now + settings.MaxIdentityLifetime)
        {
            return Fail(
                IdentityErrorCodes.IdentityLifetimeExceeded,
                $"expires_at: at most {settings.MaxIdentityLifetime.TotalDays.ToString(CultureInfo.InvariantCulture)} days from now (the configured maximum identity lifetime).");
        }

        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (r.Labels is not null)
        {
            if (r.Labels.Count > MaxLabels)
            {
                return Fail(IdentityErrorCodes.IdentityInvalid, $"labels: at most {MaxLabels}.");
            }

            foreach (var (key, value) in r.Labels)
            {
                if (key is null || key.Length > 63 || !LabelKey().IsMatch(key))
                {
                    return Fail(IdentityErrorCodes.IdentityInvalid, "labels: keys are 1-63 letters, digits, '.', '_', '-' or '/'.");
                }

                if (value is null || value.Length > MaxLabelValueLength || value.Any(char.IsControl))
                {
                    return Fail(IdentityErrorCodes.IdentityInvalid, $"labels: values are at most {MaxLabelValueLength} printable characters.");
                }

                labels[key] = value;
            }
        }

        // Stored at millisecond precision; keep the returned record identical to what a later read gives.
        var created = DateTimeOffset.FromUnixTimeMilliseconds(now.ToUnixTimeMilliseconds());
        return (new WorkloadIdentity
        {
            SpiffeId = id.Value,
            Kind = kind,
            Owner = r.Owner.Trim(),
            Purpose = r.Purpose.Trim(),
            Environment = environment,
            Status = IdentityStatus.Active,
            Labels = labels,
            CreatedAt = created,
            UpdatedAt = created,
            ExpiresAt = DateTimeOffset.FromUnixTimeMilliseconds(expiresAt.ToUnixTimeMilliseconds()),
        }, null);
    }

    [GeneratedRegex("^[A-Za-z0-9._/-]+$")]
    private static partial Regex LabelKey();
}
