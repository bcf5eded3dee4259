using Mandate.Core.Detection;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Detection and response in the server.</summary>
public static class DetectionServerServiceCollectionExtensions
{
    /// <summary>Detection in the server (after <c>AddDetection</c>): settings from <c>Mandate:Detection</c>.</summary>
    public static MandateBuilder AddDetectionHosting(this MandateBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<DetectionOptions>().BindConfiguration(DetectionOptions.SectionName);
        return builder;
    }
}
