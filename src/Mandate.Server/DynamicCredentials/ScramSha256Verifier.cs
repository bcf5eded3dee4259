using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Mandate.Server.DynamicCredentials;

/// <summary>
/// The SCRAM-SHA-256 verifier PostgreSQL stores for a password (RFC 5802 / RFC 7677, PostgreSQL's
/// <c>SCRAM-SHA-256$&lt;iterations&gt;:&lt;salt&gt;$&lt;StoredKey&gt;:&lt;ServerKey&gt;</c>), computed here so that
/// <c>CREATE ROLE … PASSWORD</c> sends the verifier and the plaintext never reaches the server (nor its statement log).
/// A verifier lets the server check a login; it does not let anyone log in.
/// </summary>
internal static class ScramSha256Verifier
{
    /// <summary>PostgreSQL's own default (<c>scram_iterations</c>).</summary>
    public const int DefaultIterations = 4096;

    /// <summary>
    /// The verifier for <paramref name="password"/>. The password must be ASCII without control characters (Mandate's
    /// generated ones are base64url): SASLprep leaves those unchanged, so PostgreSQL derives the same keys at login.
    /// </summary>
    public static string Compute(string password, int iterations = DefaultIterations, byte[]? salt = null)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (password.Any(c => c is < (char)0x21 or > (char)0x7E))
        {
            throw new ArgumentException("Only printable ASCII passwords are supported (SASLprep would change others).", nameof(password));
        }

        salt ??= RandomNumberGenerator.GetBytes(16);
        var salted = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, 32);
        var clientKey = HMACSHA256.HashData(salted, "Client Key"u8);
        var storedKey = SHA256.HashData(clientKey);
        var serverKey = HMACSHA256.HashData(salted, "Server Key"u8);
        CryptographicOperations.ZeroMemory(salted);
        CryptographicOperations.ZeroMemory(clientKey);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"SCRAM-SHA-256${iterations}:{Convert.ToBase64String(salt)}${Convert.ToBase64String(storedKey)}:{Convert.ToBase64String(serverKey)}");
    }
}
