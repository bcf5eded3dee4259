namespace Mandate.Protocol.AuthZen;

/// <summary>The default AuthZEN 1.0 paths, relative to the PDP base URL.</summary>
public static class AuthZenPaths
{
    /// <summary>The Access Evaluation API: one decision.</summary>
    public const string Evaluation = "/access/v1/evaluation";
    /// <summary>The Access Evaluations API: a batch of decisions.</summary>
    public const string Evaluations = "/access/v1/evaluations";
    /// <summary>The Subject Search API: which subjects may perform an action on a resource.</summary>
    public const string SearchSubject = "/access/v1/search/subject";
    /// <summary>The Resource Search API: which resources a subject may perform an action on.</summary>
    public const string SearchResource = "/access/v1/search/resource";
    /// <summary>The Action Search API: which actions a subject may perform on a resource.</summary>
    public const string SearchAction = "/access/v1/search/action";
    /// <summary>The well-known PDP metadata document (<see cref="AuthZenMetadata"/>).</summary>
    public const string Metadata = "/.well-known/authzen-configuration";

    /// <summary>The header a PDP echoes back.</summary>
    public const string RequestIdHeader = "X-Request-ID";

    /// <summary>The response header carrying the version of the policy set that decided (used by client caches).</summary>
    public const string PolicyVersionHeader = "X-Mandate-Policy-Version";

    /// <summary>
    /// The response header carrying the PDP's credential-state epoch when it began deciding: it changes whenever a
    /// credential is revoked or an identity's status changes there, so a client cache serves an answer only while the
    /// epoch it was decided under is still the latest it has seen.
    /// </summary>
    public const string CredentialEpochHeader = "X-Mandate-Credential-Epoch";
}
