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
            if (!Uri.TryCreate(resource, UriKind.Absolute, out _) || resource.Contains('#', StringComparison.Ordinal))
            {
                error = $"resource '{resource}' must be an absolute URI without a fragment";
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
            if (string.IsNullOrWhiteSpace(audience) || !AudienceAllowed(audience, settings, ownAudiences, trustDomain))
            {
                error = $"Mandate does not issue tokens for audience '{audience}'";
                return [];
            }

            targets.Add(audience);
        }

        return targets.Count == 0 ? [issuer] : targets.Distinct(StringComparer.Ordinal).ToList();
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
