using Mandate.Cedar;

namespace Mandate.Core.Decisions;

/// <summary>
/// The outcome of one decision. <see cref="Reasons"/> are the ids of the determining policies (their <c>@id</c>
/// annotation when they have one); <see cref="Errors"/> name the policies that failed to evaluate.
/// </summary>
internal sealed record PolicyDecision(
    bool Allowed,
    string DecisionId,
    string PolicyVersion,
    IReadOnlyList<string> Reasons,
    IReadOnlyList<AuthorizationError> Errors);
