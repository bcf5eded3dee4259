namespace Mandate.Core.Delegation;

/// <summary>
/// The audiences of an exchanged token (RFC 8693 §2.1, RFC 8707 §2): allowed resources (by prefix) and audiences,
/// else the issuer itself.
/// </summary>
internal static class TokenExchangeTargets
{
    /// <param name="request">The exchange request.</param>
    /// <param name="settings">The allowed resources and audiences.</param>
    /// <param name="ownAudiences">Mandate's own audiences (always allowed).</param>
    /// <param name="issuer">The audience when none is asked for.</param>
    /// <param name="trustDomain">Workloads of this trust domain are always allowed audiences.</param>
    /// <param name="error">Why a target is refused; null when none is.</param>
    public static IReadOnlyList<string> Resolve(
        TokenExchangeRequest request,
        TokenExchangeOptions settings,
        IReadOnlyList<string> ownAudiences,
        string issuer,
        string trustDomain,
        out string? error)
    {
        error = null;
        var targets = new List<string>();
        foreach (var resource in request.Resources)
        {
            if (!IsWellFormed(resource))
            {
                error = $"resource '{Shown(resource)}' must be an absolute URI without a fragment, dot segments, whitespace or control characters";
                return [];
            }

            var match = settings.AllowedResources.FirstOrDefault(r =>
                resource == r
                || (resource.StartsWith(r, StringComparison.Ordinal) && resource.Length > r.Length && (r.EndsWith('/') || resource[r.Length] is '/' or '?')));
            if (match is null)
            {
                error = $"Mandate does not issue tokens for resource '{resource}'";
                return [];
            }

            targets.Add(match);
        }

        foreach (var audience in request.Audiences)
        {
            if (!IsWellFormed(audience))
            {
                error = $"audience '{Shown(audience)}' must be an absolute URI or a SPIFFE ID, without a fragment, dot segments, whitespace or control characters";
                return [];
            }

            if (!AudienceAllowed(audience, settings, ownAudiences, trustDomain))
            {
                error = $"Mandate does not issue tokens for audience '{audience}'";
                return [];
            }

            targets.Add(audience);
        }

        return targets.Count == 0 ? [issuer] : targets.Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>The longest audience or resource accepted.</summary>
    private const int MaxTargetLength = 512;

    /// <summary>
    /// A target Mandate can name safely: a valid SPIFFE ID, or an absolute URI (URNs included) without a fragment,
    /// whitespace, control characters, backslashes, or dot segments (plain or percent-encoded) that could walk out of an
    /// allowed prefix.
    /// </summary>
    private static bool IsWellFormed(string target)
    {
        if (string.IsNullOrEmpty(target) || target.Length > MaxTargetLength
            || target.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '#' or '\\'))
        {
            return false;
        }

        if (target.StartsWith("spiffe://", StringComparison.OrdinalIgnoreCase))
        {
            return Identity.SpiffeId.TryParse(target, out var id) && string.Equals(id.ToString(), target, StringComparison.Ordinal);
        }

        if (!Uri.TryCreate(target, UriKind.Absolute, out _))
        {
            return false;
        }

        var decoded = Uri.UnescapeDataString(target);
        return !decoded.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '#' or '\\')
            && !decoded.Split('/').Any(segment => segment is "." or "..")
            && !target.Contains("%2f", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>A target as it may be echoed in an error: printable and short.</summary>
    private static string Shown(string target)
    {
        var printable = new string(target.Take(128).Select(c => char.IsControl(c) ? '?' : c).ToArray());
        return target.Length > 128 ? printable + "…" : printable;
    }

    private static bool AudienceAllowed(string audience, TokenExchangeOptions settings, IReadOnlyList<string> ownAudiences, string trustDomain)
    {
        if (ownAudiences.Contains(audience, StringComparer.Ordinal)
            || audience.StartsWith("spiffe://" + trustDomain + "/", StringComparison.Ordinal))
        {
            return true;
        }

        return settings.AllowedAudiences.Any(pattern => pattern.EndsWith('*')
            ? audience.StartsWith(pattern[..^1], StringComparison.Ordinal)
            : string.Equals(pattern, audience, StringComparison.Ordinal));
    }
}
