using Mandate.Core.Identity.Keys;
using Microsoft.Extensions.Options;

namespace Mandate.Core.Detection.SharedSignals;

/// <summary>Checks <see cref="SsfOptions"/> at start, naming the key of a bad value.</summary>
internal sealed class SsfOptionsValidator : IValidateOptions<SsfOptions>
{
    public ValidateOptionsResult Validate(string? name, SsfOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string Section = SsfOptions.SectionName + ":";
        var failures = new List<string>();
        if (options.Issuer is { } issuer && !Uri.TryCreate(issuer, UriKind.Absolute, out _))
        {
            failures.Add(Section + "Issuer must be an absolute URI.");
        }

        if (options.LongPollTimeout < TimeSpan.FromSeconds(1) || options.LongPollTimeout > TimeSpan.FromMinutes(5))
        {
            failures.Add(Section + "LongPollTimeout must be between 00:00:01 and 00:05:00.");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Transmitters.Count; i++)
        {
            var t = options.Transmitters[i];
            var key = $"{Section}Transmitters:{i}:";
            if (string.IsNullOrWhiteSpace(t.Issuer))
            {
                failures.Add(key + "Issuer is required.");
            }
            else if (!seen.Add(t.Issuer))
            {
                failures.Add(key + $"Issuer '{t.Issuer}' is configured twice.");
            }

            if (t.JwksUri is null || !Uri.TryCreate(t.JwksUri, UriKind.Absolute, out var jwks) || (jwks.Scheme != Uri.UriSchemeHttps && jwks.Scheme != Uri.UriSchemeHttp))
            {
                failures.Add(key + "JwksUri must be an absolute http(s) URL.");
            }

            if (string.IsNullOrWhiteSpace(t.Audience))
            {
                failures.Add(key + "Audience is required (the aud its SETs carry for this receiver).");
            }

            if (t.Algorithms.FirstOrDefault(a => !SigningAlgorithms.Verifiable.Contains(a)) is { } refused)
            {
                failures.Add(key + $"Algorithms: '{refused}' is not an asymmetric signature algorithm Mandate verifies.");
            }

            if (t.MaxAge <= TimeSpan.Zero || t.MaxAge > TimeSpan.FromDays(7))
            {
                failures.Add(key + "MaxAge must be between 0 and 7 days.");
            }

            if (t.ClockSkew < TimeSpan.Zero || t.ClockSkew > TimeSpan.FromMinutes(10))
            {
                failures.Add(key + "ClockSkew must be between 0 and 10 minutes.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
