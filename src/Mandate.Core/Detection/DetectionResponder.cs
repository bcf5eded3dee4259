using System.Globalization;
using Mandate.Core.Audit;
using Mandate.Core.Credentials;
using Mandate.Core.Identity.Inventory;
using Mandate.Core.Storage;

namespace Mandate.Core.Detection;

/// <summary>
/// Runs an alert's lifecycle responses through the services an operator would use (the inventory suspends, the
/// revocation service revokes), so the effect is immediate on every path; records each as a <c>detection.response</c>
/// ledger event naming the alert and its evidence, then marks the alert's responses done.
/// </summary>
internal sealed class DetectionResponder(IMandateStore store, IAuditTrail audit, IdentityInventory inventory, RevocationService revocations)
{
    /// <summary>Who the ledger names as the actor of detection's events and lifecycle changes.</summary>
    public const string Actor = "detection";

    public async Task RespondAsync(DetectionAlert alert, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var outcomes = new List<string>(alert.Response.Outcomes);
        var reason = $"detection: {alert.Rule} alert {alert.Id}";
        foreach (var kind in alert.Response.Actions.Where(DetectionResponseKinds.IsLifecycleAction))
        {
            var outcome = kind switch
            {
                DetectionResponseKinds.SuspendIdentity => await SuspendAsync(alert, reason, cancellationToken).ConfigureAwait(false),
                DetectionResponseKinds.RevokeTask => await RevokeTaskAsync(alert, reason, cancellationToken).ConfigureAwait(false),
                _ => await RevokeCredentialsAsync(alert, reason, cancellationToken).ConfigureAwait(false),
            };
            await audit.AppendAsync(ResponseEvent(alert, kind, outcome, null), cancellationToken).ConfigureAwait(false);
            outcomes.Add(outcome);
        }

        var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        await session.Get<IDetectionRepository>().UpdateResponseAsync(alert.Id, alert.Response with { State = AlertResponse.Done, Outcomes = outcomes }, cancellationToken).ConfigureAwait(false);
        await session.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The ledger record of one response to an alert.</summary>
    public static AuditEvent ResponseEvent(DetectionAlert alert, string kind, string outcome, long? riskScore)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var details = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["alert_id"] = alert.Id,
            ["rule"] = alert.Rule,
            ["response"] = kind,
            ["evidence"] = DetectionEngine.Evidence(alert.Evidence),
        };
        if (riskScore is { } score)
        {
            details["risk_score"] = score.ToString(CultureInfo.InvariantCulture);
            details["risk_level"] = RiskLevels.Of(score);
        }

        return new AuditEvent
        {
            Type = "detection.response",
            Actor = Actor,
            Subject = alert.Identity,
            Action = kind,
            TaskId = alert.TaskId,
            Reason = outcome,
            Details = details,
        };
    }

    private async Task<string> SuspendAsync(DetectionAlert alert, string reason, CancellationToken cancellationToken)
    {
        var result = await inventory.ChangeStatusAsync(alert.Identity, IdentityStatus.Suspended, reason, Actor, null, cancellationToken).ConfigureAwait(false);
        return result.Error is { } error ? $"identity not suspended: {error.Message}" : "identity suspended";
    }

    private async Task<string> RevokeTaskAsync(DetectionAlert alert, string reason, CancellationToken cancellationToken)
    {
        if (alert.TaskId is not { } task)
        {
            return "no task to revoke: the evidence names none";
        }

        var outcome = await revocations.RevokeAsync(RevocationTargetKind.Task, task, reason, Actor, null, cancellationToken).ConfigureAwait(false);
        return outcome is null
            ? $"task {task} not found"
            : $"task {task} revoked ({outcome.RevokedJtis.Count.ToString(CultureInfo.InvariantCulture)} credentials)";
    }

    private async Task<string> RevokeCredentialsAsync(DetectionAlert alert, string reason, CancellationToken cancellationToken)
    {
        var outcome = await revocations.RevokeAsync(RevocationTargetKind.Identity, alert.Identity, reason, Actor, null, cancellationToken).ConfigureAwait(false);
        return $"{(outcome?.RevokedJtis.Count ?? 0).ToString(CultureInfo.InvariantCulture)} credentials of the identity revoked";
    }
}
