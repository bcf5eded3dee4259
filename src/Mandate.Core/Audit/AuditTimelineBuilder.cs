using Mandate.Core.Storage;

namespace Mandate.Core.Audit;

/// <summary>
/// Rebuilds an identity's access history from audit events: its credentials (<see cref="IssuanceTypes"/> with it as
/// subject), their uses (any later event carrying the credential's <c>jti</c>: <c>credential.used</c>,
/// <c>decision</c>), the decisions about it, the delegations it took part in (<see cref="DelegationTypes"/>), and the
/// revocations (<c>credential.revoked</c>).
/// </summary>
internal static class AuditTimelineBuilder
{
    /// <summary>At most this many events are read for one timeline; the result says when it was cut.</summary>
    public const int MaxEvents = 20_000;

    /// <summary>Events that hand a credential (its <c>jti</c>) to their <c>Subject</c>.</summary>
    public static readonly IReadOnlySet<string> IssuanceTypes = new HashSet<string>(StringComparer.Ordinal)
    {
        "credential.issued", "task.opened", "task.renewed", "identity.jwt_svid_issued", "identity.x509_svid_issued",
        "credential.exchanged", "token.exchanged",
    };

    /// <summary>RFC 8693 exchanges: the actor acts for the subject through the chain.</summary>
    public static readonly IReadOnlySet<string> DelegationTypes = new HashSet<string>(StringComparer.Ordinal) { "credential.exchanged", "token.exchanged" };

    public static async Task<AuditTimeline> BuildAsync(IStoreSession session, string identity, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentException.ThrowIfNullOrEmpty(identity);
        var repository = session.Get<IAuditRepository>();
        var records = new SortedDictionary<long, AuditRecord>();
        var truncated = await CollectAsync(repository, new AuditQuery { Identity = identity }, records, cancellationToken).ConfigureAwait(false);

        bool IsIssuance(AuditRecord r) => IssuanceTypes.Contains(r.Event.Type) && r.Event.Subject == identity && r.Event.CredentialId is not null;
        var jtis = records.Values.Where(IsIssuance).Select(r => r.Event.CredentialId!).Distinct(StringComparer.Ordinal).ToList();
        foreach (var jti in jtis)
        {
            truncated |= await CollectAsync(repository, new AuditQuery { CredentialId = jti }, records, cancellationToken).ConfigureAwait(false);
            // Exchanges that used this credential as their subject token name it as parent_jti only in details.
        }

        var credentials = new List<TimelineCredential>();
        foreach (var issued in records.Values.Where(IsIssuance))
        {
            var e = issued.Event;
            var jti = e.CredentialId!;
            var related = records.Values.Where(r => r.Sequence != issued.Sequence && r.Event.CredentialId == jti).ToList();
            var revoked = related.FirstOrDefault(r => r.Event.Type == "credential.revoked");
            var uses = related.Where(r => r.Event.Type != "credential.revoked" && !IssuanceTypes.Contains(r.Event.Type)).Select(Entry).ToList();
            credentials.Add(new TimelineCredential(
                jti,
                e.Actor ?? "unknown",
                Detail(e, "kind") ?? Kind(e.Type),
                issued.Sequence,
                issued.Time,
                e.TaskId,
                Detail(e, "expires_at"),
                Detail(e, "scope"),
                Detail(e, "parent_jti"),
                e.Chain,
                uses,
                revoked?.Time,
                revoked?.Event.Actor,
                revoked?.Event.Reason));
        }

        var delegations = records.Values
            .Where(r => DelegationTypes.Contains(r.Event.Type))
            .Select(r => new TimelineDelegation(r.Sequence, r.Time, r.Event.Actor, r.Event.Subject, r.Event.Chain, r.Event.CredentialId, Detail(r.Event, "parent_jti"), r.Event.TaskId))
            .ToList();
        var decisions = records.Values
            .Where(r => r.Event.Type == "decision")
            .Select(r => new TimelineDecision(r.Sequence, r.Time, r.Event.Decision, r.Event.Action, r.Event.Resource, r.Event.PolicyVersion, r.Event.CredentialId, r.Event.Chain, r.Event.Reason))
            .ToList();
        return new AuditTimeline(identity, credentials, delegations, decisions, records.Values.Select(Entry).ToList(), truncated);
    }

    private static async Task<bool> CollectAsync(IAuditRepository repository, AuditQuery query, SortedDictionary<long, AuditRecord> records, CancellationToken cancellationToken)
    {
        var after = 0L;
        while (true)
        {
            if (records.Count >= MaxEvents)
            {
                return true;
            }

            var page = await repository.QueryAsync(query with { AfterSequence = after, Limit = AuditQuery.MaxLimit }, cancellationToken).ConfigureAwait(false);
            foreach (var record in page)
            {
                records.TryAdd(record.Sequence, record);
            }

            if (page.Count < AuditQuery.MaxLimit)
            {
                return false;
            }

            after = page[^1].Sequence;
        }
    }

    private static string Kind(string type) => type switch
    {
        "task.opened" or "task.renewed" => "task",
        "identity.jwt_svid_issued" => "jwt-svid",
        "identity.x509_svid_issued" => "x509-svid",
        "credential.exchanged" or "token.exchanged" => "exchanged",
        _ => "credential",
    };

    private static TimelineEntry Entry(AuditRecord r) =>
        new(r.Sequence, r.Time, r.Event.Type, r.Event.Actor, r.Event.Subject, r.Event.Action, r.Event.Resource, r.Event.Decision, r.Event.CredentialId, r.Event.TaskId, r.Event.Reason);

    private static string? Detail(AuditEvent e, string key) => e.Details is { } d && d.TryGetValue(key, out var value) ? value : null;
}
