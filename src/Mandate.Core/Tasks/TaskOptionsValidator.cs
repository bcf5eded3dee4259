using Microsoft.Extensions.Options;

namespace Mandate.Core.Tasks;

/// <summary>Refuses, at start, task settings no task could be opened or swept with.</summary>
internal sealed class TaskOptionsValidator : IValidateOptions<TaskOptions>
{
    public ValidateOptionsResult Validate(string? name, TaskOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = new ValidateOptionsResultBuilder();
        Positive(builder, options.DefaultTtl, nameof(TaskOptions.DefaultTtl));
        Positive(builder, options.MaxTtl, nameof(TaskOptions.MaxTtl));
        Positive(builder, options.MaxLeaseTotal, nameof(TaskOptions.MaxLeaseTotal));
        Positive(builder, options.SweepInterval, nameof(TaskOptions.SweepInterval));
        if (options.RenewalGrace < TimeSpan.Zero || options.RenewalGrace > options.MaxTtl)
        {
            builder.AddError($"{TaskOptions.SectionName}:{nameof(TaskOptions.RenewalGrace)} must be zero (the default: the replaced credential is revoked at once) or positive and at most {TaskOptions.SectionName}:{nameof(TaskOptions.MaxTtl)} ({options.MaxTtl}); it is {options.RenewalGrace}.");
        }

        if (options.MaxRenewals < 0)
        {
            builder.AddError($"{TaskOptions.SectionName}:{nameof(TaskOptions.MaxRenewals)} must be zero or positive.");
        }

        foreach (var (value, setting) in new[]
        {
            (options.PrincipalEntityType, nameof(TaskOptions.PrincipalEntityType)),
            (options.OpenTaskAction, nameof(TaskOptions.OpenTaskAction)),
            (options.ActionEntityType, nameof(TaskOptions.ActionEntityType)),
            (options.TaskEntityType, nameof(TaskOptions.TaskEntityType)),
        })
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                builder.AddError($"{TaskOptions.SectionName}:{setting} must not be empty.");
            }
        }

        return builder.Build();
    }

    private static void Positive(ValidateOptionsResultBuilder builder, TimeSpan value, string setting)
    {
        if (value <= TimeSpan.Zero)
        {
            builder.AddError($"{TaskOptions.SectionName}:{setting} must be positive.");
        }
    }
}
