namespace Mandate.Core.Governance.Reviews;

/// <summary>
/// One thing an identity may do under the active policies: an action on a resource type, and the permit policies
/// (their <c>@id</c>s) whose scope grants it. Conditions (<c>when</c>/<c>unless</c>) may narrow it at run time; the
/// scope is what a reviewer certifies or takes away.
/// </summary>
internal sealed record Entitlement(string Action, string ResourceType, IReadOnlyList<string> Policies);
