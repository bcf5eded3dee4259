using Mandate.Cedar;

namespace Mandate.Core.Decisions;

/// <summary>
/// The outcome of one decision. <see cref="Reasons"/> are the ids of the determining policies (their <c>@id</c>
/// annotation when they have one); <see cref="Errors"/> name the policies that failed to evaluate.
/// <see cref="ExceptionId"/> and <see cref="ExceptionKind"/> name the exception or break-glass grant among the
/// determining policies, if one is.
/// </summary>
internal sealed record PolicyDecision(
    bool Allowed,
    string DecisionId,
    string PolicyVersion,
    IReadOnlyList<string> Reasons,
    IReadOnlyList<AuthorizationError> Errors,
    string? ExceptionId = null,
    string? ExceptionKind = null);
