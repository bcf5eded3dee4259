namespace Mandate.Server.Decisions;

/// <summary>Problem codes of the decision and policy APIs (listed in docs/errors.md).</summary>
internal static class AuthZenProblemTypes
{
    /// <summary>An entity type that is not a Cedar name or that the active schema does not declare (400).</summary>
    public const string UnknownEntityType = Core.Decisions.AuthZenErrorCodes.UnknownEntityType;

    /// <summary>A batch over the configured maximum number of items (400).</summary>
    public const string BatchTooLarge = Core.Decisions.AuthZenErrorCodes.BatchTooLarge;

    /// <summary>An <c>options.evaluations_semantic</c> that is not one of the three defined values (400).</summary>
    public const string UnknownSemantic = Core.Decisions.AuthZenErrorCodes.UnknownSemantic;

    /// <summary>A search page token not issued by this server or for another query (400).</summary>
    public const string InvalidPageToken = Core.Decisions.AuthZenErrorCodes.InvalidPageToken;

    /// <summary>A policy bundle that does not parse, validate against its schema, or load (400, with <c>errors</c>).</summary>
    public const string PolicySetRejected = "policy-set-rejected";
}
