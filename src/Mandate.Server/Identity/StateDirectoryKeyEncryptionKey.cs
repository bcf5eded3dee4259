using System.Security.Cryptography;
using Mandate.Core.Identity.Keys;
using Mandate.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Mandate.Server.Identity;

/// <summary>
/// The key-encryption key kept in <c>STATE/identity.kek</c> (base64 of 32 random bytes, mode 0600), created at first
/// start. It never enters the store, so a copy of the database alone does not reveal any private key. Nodes that
/// share a PostgreSQL store must share this file.
/// </summary>
internal sealed class StateDirectoryKeyEncryptionKey(IOptions<MandateServerOptions> options) : IKeyEncryptionKeySource
{
    public const string FileName = "identity.kek";
    private readonly Lazy<byte[]> key = new(() => LoadOrCreate(Path.Combine(options.Value.StateDirectory, FileName)));

    public ReadOnlySpan<byte> Key => key.Value;

    private static byte[] LoadOrCreate(string path)
    {
        if (File.Exists(path))
        {
            byte[] bytes;
            try
            {
                bytes = Convert.FromBase64String(File.ReadAllText(path).Trim());
            }
            catch (FormatException ex)
            {
                throw new StartupException($"The key-encryption key file {Path.GetFullPath(path)} is not base64; restore it from a backup.", ex);
            }

            if (bytes.Length != 32)
            {
                throw new StartupException($"The key-encryption key file {Path.GetFullPath(path)} does not hold 32 bytes; restore it from a backup.");
            }

            return bytes;
        }

        var fresh = RandomNumberGenerator.GetBytes(32);
        SecretFile.Write(path, Convert.ToBase64String(fresh));
        return fresh;
    }
}
