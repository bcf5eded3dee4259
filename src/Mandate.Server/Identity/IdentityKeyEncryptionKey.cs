using System.Security.Cryptography;
using Mandate.Core.Identity.Keys;
using Mandate.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Mandate.Server.Identity;

/// <summary>
/// The identity key-encryption key: from <c>Mandate:KeyEncryption:Key</c> (base64, e.g. a secret in the environment),
/// from the file <c>Mandate:KeyEncryption:KeyFile</c>, or else kept in <c>STATE/identity.kek</c> (base64 of 32 random
/// bytes, mode 0600), created at first start. It never enters the store, so a copy of the database alone does not
/// reveal any private key. Nodes that share a PostgreSQL store must be given the same key.
/// </summary>
internal sealed class IdentityKeyEncryptionKey : IKeyEncryptionKeySource
{
    public const string FileName = "identity.kek";
    private readonly Lazy<byte[]> key;

    public IdentityKeyEncryptionKey(IOptions<MandateServerOptions> server, IOptions<KeyEncryptionOptions> options)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(options);
        var configured = options.Value;
        var stateFile = Path.Combine(server.Value.StateDirectory, FileName);
        Origin = configured.Key is not null ? $"{KeyEncryptionOptions.SectionName}:Key"
            : configured.KeyFile is { } file ? $"the file {Path.GetFullPath(file)} ({KeyEncryptionOptions.SectionName}:KeyFile)"
            : $"the file {Path.GetFullPath(stateFile)} (generated in the state directory)";
        key = new(() => configured.Key is { } text ? KeyEncryptionKeyText.Decode(text)
            : configured.KeyFile is { } path ? Load(path, create: false)
            : Load(stateFile, create: true));
    }

    public ReadOnlySpan<byte> Key => key.Value;

    public string Origin { get; }

    private static byte[] Load(string path, bool create)
    {
        if (File.Exists(path))
        {
            string text;
            try
            {
                text = File.ReadAllText(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new StartupException($"The key-encryption key file {Path.GetFullPath(path)} cannot be read: {ex.Message}", ex);
            }

            if (KeyEncryptionKeyText.Problem(text) is { } problem)
            {
                throw new StartupException($"The key-encryption key file {Path.GetFullPath(path)} {problem} Restore it from a backup.");
            }

            return KeyEncryptionKeyText.Decode(text);
        }

        if (!create)
        {
            throw new StartupException($"The key-encryption key file {Path.GetFullPath(path)} ({KeyEncryptionOptions.SectionName}:KeyFile) does not exist.");
        }

        var fresh = RandomNumberGenerator.GetBytes(KeyEncryptionKeyText.KeyLength);
        SecretFile.Write(path, Convert.ToBase64String(fresh));
        return fresh;
    }
}
