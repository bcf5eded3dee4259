using Mandate.Core.Tasks;
using Microsoft.Extensions.Options;

namespace Mandate.Core.Detection.Rules;

/// <summary>
/// <c>privilege_escalation_attempt</c>: an identity asked for more power than policy gives it: opening a task that
/// policy refused (a sensitivity ceiling above what it may open, actions it may not take: a denied
/// <c>Action::"OpenTask"</c> decision), or a workload presenting its SVID to an admin API
/// (<c>admin.authentication_failed</c> naming the workload as subject).
/// </summary>
internal sealed class PrivilegeEscalationAttemptRule(IOptions<TaskOptions> tasks) : IDetectionRule
{
    private readonly string openTaskAction = tasks.Value.OpenTaskAction;

    public string Name => DetectionRuleNames.PrivilegeEscalationAttempt;

    public void Observe(DetectionScope scope)
    {
        var e = scope.Event;
        string? identity;
        string summary;
        if (DetectionEvents.IsDecision(e) && DetectionEvents.IsDeny(e) && DetectionEvents.EntityId(e.Action) == openTaskAction)
        {
            identity = DetectionEvents.DecisionIdentity(e);
            summary = $"{identity} tried to open a task that policy refuses ({e.Reason ?? "denied"}).";
        }
        else if (DetectionEvents.BaseType(e) == "admin.authentication_failed" && e.Subject is { Length: > 0 } workload)
        {
            identity = workload;
            summary = $"The workload {workload} called the admin API {e.Resource ?? string.Empty} with its SVID.";
        }
        else
        {
            return;
        }

        if (identity is not { Length: > 0 })
        {
            return;
        }

        var settings = scope.Settings(Name);
        if (RuleWindows.Count(scope.State.Identity(identity), Name, new(scope.At, DetectionEvents.Count(e), scope.Record.Sequence), settings) is { } evidence)
        {
            scope.Hit(Name, identity, summary, evidence);
        }
    }
}
