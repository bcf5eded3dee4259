using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Mandate.Core.DynamicCredentials;

/// <summary>
/// Refuses, at start, engines that could not work: unknown kinds, a missing or doubled connection string, role names a
/// downstream system would not take. Messages name settings, never the connection string.
/// </summary>
internal sealed partial class DynamicCredentialOptionsValidator(IEnumerable<IDynamicCredentialEngineFactory> factories) : IValidateOptions<DynamicCredentialOptions>
{
    public ValidateOptionsResult Validate(string? name, DynamicCredentialOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = new ValidateOptionsResultBuilder();
        const string Section = DynamicCredentialOptions.SectionName;
        foreach (var (value, setting) in new[]
        {
            (options.RevocationInterval, nameof(DynamicCredentialOptions.RevocationInterval)),
            (options.MaxRetryBackoff, nameof(DynamicCredentialOptions.MaxRetryBackoff)),
            (options.AttemptTimeout, nameof(DynamicCredentialOptions.AttemptTimeout)),
        })
        {
            if (value <= TimeSpan.Zero)
            {
                builder.AddError($"{Section}:{setting} must be positive.");
            }
        }

        if (string.IsNullOrWhiteSpace(options.IssueAction) || string.IsNullOrWhiteSpace(options.EngineEntityType))
        {
            builder.AddError($"{Section}:{nameof(DynamicCredentialOptions.IssueAction)} and {nameof(DynamicCredentialOptions.EngineEntityType)} must not be empty.");
        }

        var kinds = factories.Select(f => f.Kind).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var (engine, settings) in options.Engines)
        {
            var prefix = $"{Section}:Engines:{engine}";
            if (!EngineName().IsMatch(engine))
            {
                builder.AddError($"{prefix}: an engine name is 1 to 63 letters, digits, '-', '_' or '.', starting with a letter or digit.");
            }

            if (settings.Kind is null || !kinds.Contains(settings.Kind))
            {
                builder.AddError($"{prefix}:Kind must be one of {string.Join(", ", kinds.Order(StringComparer.Ordinal))}.");
            }

            var fromValue = !string.IsNullOrWhiteSpace(settings.ConnectionString);
            var fromFile = !string.IsNullOrWhiteSpace(settings.ConnectionStringFile);
            if (fromValue == fromFile)
            {
                builder.AddError($"{prefix}: set ConnectionString or ConnectionStringFile (exactly one).");
            }
            else if (fromFile && !File.Exists(settings.ConnectionStringFile))
            {
                builder.AddError($"{prefix}:ConnectionStringFile: the file {Path.GetFullPath(settings.ConnectionStringFile!)} does not exist.");
            }

            if (!RolePrefix().IsMatch(settings.RoleNamePrefix ?? string.Empty))
            {
                builder.AddError($"{prefix}:RoleNamePrefix must be 1 to 24 lower-case letters, digits or underscores, starting with a letter or underscore.");
            }

            for (var i = 0; i < settings.GrantRoles.Count; i++)
            {
                if (!RoleName().IsMatch(settings.GrantRoles[i] ?? string.Empty))
                {
                    builder.AddError($"{prefix}:GrantRoles:{i} must be a plain role name (letters, digits, '_' or '$', starting with a letter or '_', at most 63 characters).");
                }
            }

            if (settings.MaxTtl <= TimeSpan.Zero)
            {
                builder.AddError($"{prefix}:MaxTtl must be positive.");
            }
        }

        return builder.Build();
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex EngineName();

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,23}$", RegexOptions.CultureInvariant)]
    private static partial Regex RolePrefix();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_$]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex RoleName();
}
