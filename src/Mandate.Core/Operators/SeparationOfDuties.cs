namespace Mandate.Core.Operators;

/// <summary>
/// The four-eyes rule for features where one person asks and another decides (exceptions, access reviews): the
/// approver must be a different person from the requester. Actors are compared as the ledger records them
/// (<c>operator:&lt;name&gt;</c>, <c>admin</c>); an unknown side never passes.
/// </summary>
internal static class SeparationOfDuties
{
    /// <summary>Null when <paramref name="approver"/> may approve what <paramref name="requester"/> asked; otherwise why not.</summary>
    public static OperatorError? CheckApprover(string? requester, string? approver)
    {
        if (string.IsNullOrWhiteSpace(requester) || string.IsNullOrWhiteSpace(approver))
        {
            return new OperatorError(OperatorErrorCodes.SeparationOfDuties, "Both the requester and the approver must be known.");
        }

        if (string.Equals(Normalize(requester), Normalize(approver), StringComparison.Ordinal))
        {
            return new OperatorError(OperatorErrorCodes.SeparationOfDuties, $"The approver ({approver.Trim()}) is the requester: someone else must approve.");
        }

        return null;
    }

    /// <summary>Whether <paramref name="approver"/> may approve what <paramref name="requester"/> asked.</summary>
    public static bool IsSatisfied(string? requester, string? approver) => CheckApprover(requester, approver) is null;

    // Operator names are lower-case; an actor typed with other case or spaces is still the same person.
    private static string Normalize(string actor) => actor.Trim().ToLowerInvariant();
}
