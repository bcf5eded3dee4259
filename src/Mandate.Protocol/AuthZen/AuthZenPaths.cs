namespace Mandate.Protocol.AuthZen;

/// <summary>The default AuthZEN 1.0 paths, relative to the PDP base URL.</summary>
public static class AuthZenPaths
{
    public const string Evaluation = "/access/v1/evaluation";
    public const string Evaluations = "/access/v1/evaluations";
    public const string SearchSubject = "/access/v1/search/subject";
    public const string SearchResource = "/access/v1/search/resource";
    public const string SearchAction = "/access/v1/search/action";
    public const string Metadata = "/.well-known/authzen-configuration";

    /// <summary>The header a PDP echoes back.</summary>
    public const string RequestIdHeader = "X-Request-ID";

    /// <summary>The response header carrying the version of the policy set that decided (used by client caches).</summary>
    public const string PolicyVersionHeader = "X-Mandate-Policy-Version";
}
