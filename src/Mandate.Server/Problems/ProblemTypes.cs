namespace Mandate.Server.Problems;

/// <summary>Stable problem codes: each is the last segment of its problem-details <c>type</c> and a heading in docs/errors.md.</summary>
internal static class ProblemTypes
{
    public const string BaseUri = "https://mandate.dev/problems/";

    public const string Unauthenticated = "unauthenticated";
    public const string Forbidden = "forbidden";
    public const string NotFound = "not-found";
    public const string MethodNotAllowed = "method-not-allowed";
    public const string InvalidRequest = "invalid-request";
    public const string MalformedJson = "malformed-json";
    public const string PayloadTooLarge = "payload-too-large";
    public const string UnsupportedMediaType = "unsupported-media-type";
    public const string Conflict = "conflict";
    public const string StoreUnavailable = "store-unavailable";
    public const string RateLimited = "rate-limited";
    public const string Internal = "internal-error";

    public static string Uri(string code) => BaseUri + code;
}
