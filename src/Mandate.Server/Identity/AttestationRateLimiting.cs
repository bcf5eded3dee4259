using Mandate.Server.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>ASP.NET Core rate limiting for the anonymous attestation endpoints (see <see cref="AttestationRateLimitOptions"/>).</summary>
internal static class AttestationRateLimiting
{
    /// <summary>The policy the attestation endpoints require (<c>RequireRateLimiting</c>).</summary>
    public const string PolicyName = "attestation";

    public static MandateBuilder AddAttestationRateLimiting(this MandateBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<AttestationRateLimitOptions>()
            .BindConfiguration(AttestationRateLimitOptions.SectionName)
            .Validate(o => o.PermitLimit > 0, "Mandate:Identity:AttestationRateLimit:PermitLimit must be positive.")
            .Validate(o => o.Window > TimeSpan.Zero, "Mandate:Identity:AttestationRateLimit:Window must be positive.")
            .Validate(o => o.QueueLimit >= 0, "Mandate:Identity:AttestationRateLimit:QueueLimit must be zero or positive.")
            .Validate(o => o.Ipv6PrefixLength is >= 1 and <= 128, "Mandate:Identity:AttestationRateLimit:Ipv6PrefixLength must be between 1 and 128.")
            .ValidateOnStart();
        services.TryAddSingleton<AttestationRateLimitRefusals>();
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.AddPolicy<string, AttestationRateLimitPolicy>(PolicyName);
        });
        return builder;
    }
}
