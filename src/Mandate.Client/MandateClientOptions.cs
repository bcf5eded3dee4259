namespace Mandate.Client;

/// <summary>How the SDK reaches the Mandate decision point and how enforcement behaves when it cannot.</summary>
public sealed class MandateClientOptions
{
    /// <summary>The PDP base URL, e.g. <c>http://127.0.0.1:8080</c>.</summary>
    public Uri? BaseAddress { get; set; }

    /// <summary>Time allowed for one attempt.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Retries after a transport failure, a timeout, 408, 429 or 5xx (decisions are idempotent).</summary>
    public int MaxRetries { get; set; } = 2;

    /// <summary>First retry delay; doubles per retry, with ±50% jitter so many clients do not retry in step.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// When the PDP cannot be reached or answers with an error, allow instead of deny. Off by default (fail closed);
    /// turning it on is a deliberate availability-over-safety choice.
    /// </summary>
    public bool FailOpen { get; set; }

    /// <summary>How long a decision may be reused for the same request under the same policy version (zero disables caching).</summary>
    public TimeSpan CacheDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Most decisions cached; the cache is emptied when full.</summary>
    public int CacheSize { get; set; } = 10_000;

    /// <summary>Optional bearer token the enforcement point authenticates to the PDP with.</summary>
    public string? AccessToken { get; set; }

    /// <summary>The AuthZEN subject type the ASP.NET Core handler uses for the signed-in user.</summary>
    public string SubjectType { get; set; } = "user";

    /// <summary>The claim holding the subject id (falls back to the name identifier, then the name).</summary>
    public string SubjectClaim { get; set; } = "sub";
}
