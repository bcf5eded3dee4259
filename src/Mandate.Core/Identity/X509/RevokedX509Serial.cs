namespace Mandate.Core.Identity.X509;

/// <summary>A revoked X.509-SVID as the CRL lists it: its serial (upper-case hex) and when it was revoked.</summary>
internal sealed record RevokedX509Serial(string SerialHex, DateTimeOffset RevokedAt);
