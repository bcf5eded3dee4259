using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Mandate.Core.Identity.Keys;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;

namespace Mandate.Server.Console;

/// <summary>
/// Decrypts what <see cref="KeyRingEncryptor"/> wrote. The framework creates it by type name with the service
/// provider (its activator's convention), so it takes the provider rather than the protector.
/// </summary>
internal sealed class KeyRingDecryptor(IServiceProvider services) : IXmlDecryptor
{
    private readonly PrivateKeyProtector protector = services.GetRequiredService<PrivateKeyProtector>();

    public XElement Decrypt(XElement encryptedElement)
    {
        ArgumentNullException.ThrowIfNull(encryptedElement);
        if (encryptedElement.Name != KeyRingEncryptor.ElementName || (string?)encryptedElement.Attribute("version") != "1")
        {
            throw new CryptographicException("The data-protection key is not one Mandate encrypted.");
        }

        var plaintext = protector.Unprotect(KeyRingEncryptor.Purpose, Convert.FromBase64String(encryptedElement.Value));
        try
        {
            return XElement.Parse(Encoding.UTF8.GetString(plaintext));
        }
        finally
        {
            Array.Clear(plaintext);
        }
    }
}
