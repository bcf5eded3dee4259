using System.Security.Cryptography.X509Certificates;

namespace Mandate.Core.Identity.X509;

/// <summary>A signed X.509-SVID: the leaf, the chain to present (leaf first), and the CA bundle to trust.</summary>
internal sealed record IssuedX509Svid(
    string SpiffeId,
    X509Certificate2 Certificate,
    IReadOnlyList<X509Certificate2> Chain,
    IReadOnlyList<X509Certificate2> Bundle,
    string SerialNumber,
    DateTimeOffset ExpiresAt);
