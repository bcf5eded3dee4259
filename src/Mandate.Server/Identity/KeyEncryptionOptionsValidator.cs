using Mandate.Core.Identity.Keys;
using Microsoft.Extensions.Options;

namespace Mandate.Server.Identity;

/// <summary>Refuses, at start, a key-encryption key given twice or not of 32 bytes. The key's value is never part of a message.</summary>
internal sealed class KeyEncryptionOptionsValidator : IValidateOptions<KeyEncryptionOptions>
{
    public ValidateOptionsResult Validate(string? name, KeyEncryptionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = new ValidateOptionsResultBuilder();
        if (options.Key is not null && options.KeyFile is not null)
        {
            builder.AddError($"{KeyEncryptionOptions.SectionName}: set Key or KeyFile, not both.");
        }

        if (options.Key is { } key && KeyEncryptionKeyText.Problem(key) is { } problem)
        {
            builder.AddError($"{KeyEncryptionOptions.SectionName}:Key {problem}");
        }

        if (options.KeyFile is { } file && string.IsNullOrWhiteSpace(file))
        {
            builder.AddError($"{KeyEncryptionOptions.SectionName}:KeyFile must not be empty.");
        }
        else if (options.KeyFile is { } keyFile && !File.Exists(keyFile))
        {
            // Checked before the store is touched; the file is read (and its content checked) when the key is first used.
            builder.AddError($"{KeyEncryptionOptions.SectionName}:KeyFile: the file {Path.GetFullPath(keyFile)} does not exist.");
        }

        return builder.Build();
    }
}
