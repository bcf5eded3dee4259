namespace Mandate.Core.Decisions;

/// <summary>Stable problem codes of the decision API (documented in docs/errors.md).</summary>
internal static class AuthZenErrorCodes
{
    /// <summary>A required member is missing or has the wrong JSON type.</summary>
    public const string InvalidRequest = "invalid-request";

    /// <summary>An entity type that is not a Cedar name, or that the active schema does not declare.</summary>
    public const string UnknownEntityType = "unknown-entity-type";

    /// <summary>An id, name, <c>properties</c> or <c>context</c> longer than the configured bound.</summary>
    public const string InputTooLarge = "input-too-large";

    /// <summary>A batch with more items than the configured maximum.</summary>
    public const string BatchTooLarge = "batch-too-large";

    /// <summary>An unknown <c>options.evaluations_semantic</c>.</summary>
    public const string UnknownSemantic = "unknown-evaluations-semantic";

    /// <summary>A search page token that is not one of ours, or that belongs to a different query.</summary>
    public const string InvalidPageToken = "invalid-page-token";
}
