using Mandate.Core.Exceptions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Exceptions and break-glass in the server.</summary>
public static class ExceptionServerServiceCollectionExtensions
{
    /// <summary>Exceptions in the server (after <c>AddExceptions</c>): settings from <c>Mandate:Exceptions</c>.</summary>
    public static MandateBuilder AddExceptionHosting(this MandateBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<ExceptionOptions>().BindConfiguration(ExceptionOptions.SectionName);
        return builder;
    }
}
