namespace Mandate.Server.Identity;

/// <summary>
/// The rate limit of the anonymous attestation endpoints (<c>POST /v1/attest/oidc</c> and <c>/v1/attest/join</c>),
/// counted per endpoint and client network in fixed windows (configuration section
/// <c>Mandate:Identity:AttestationRateLimit</c>). A workload attests once per SVID lifetime, so the default is far
/// above honest use and far below what guessing join tokens or hammering issuers' JWKS would need.
/// </summary>
internal sealed class AttestationRateLimitOptions
{
    public const string SectionName = "Mandate:Identity:AttestationRateLimit";

    /// <summary>Whether the limit applies at all (turn off only behind a proxy that limits already).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Requests allowed per client network, per endpoint, per <see cref="Window"/>.</summary>
    public int PermitLimit { get; set; } = 60;

    /// <summary>Length of the fixed window the permits are counted in.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Requests over the limit that wait for the next window instead of being refused at once.</summary>
    public int QueueLimit { get; set; }

    /// <summary>
    /// IPv6 clients are counted per prefix of this length (an IPv4 client per address): one host usually holds a
    /// whole /64, and would otherwise get a fresh budget per address.
    /// </summary>
    public int Ipv6PrefixLength { get; set; } = 64;
}
