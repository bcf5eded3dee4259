using System.Text;
using System.Xml.Linq;
using Mandate.Core.Identity.Keys;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;

namespace Mandate.Server.Console;

/// <summary>
/// Encrypts each data-protection key's secret (its <c>masterKey</c> element) with AES-256-GCM under the deployment's
/// key-encryption key, the one that protects the identity signing keys (<see cref="PrivateKeyProtector"/>), before the
/// key reaches the store: the store alone never holds a usable key, and every node that has the key-encryption key
/// (which nodes sharing a store need anyway) can read the ring.
/// </summary>
internal sealed class KeyRingEncryptor(PrivateKeyProtector protector) : IXmlEncryptor
{
    /// <summary>Associated data: a ciphertext made for the key ring cannot pass for an identity key, or the reverse.</summary>
    internal const string Purpose = "mandate:data-protection-key";
    internal const string ElementName = "mandateKeyEncryption";

    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        ArgumentNullException.ThrowIfNull(plaintextElement);
        var plaintext = Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting));
        var sealedBytes = protector.Protect(Purpose, plaintext);
        Array.Clear(plaintext);
        return new EncryptedXmlInfo(new XElement(ElementName, new XAttribute("version", "1"), Convert.ToBase64String(sealedBytes)), typeof(KeyRingDecryptor));
    }
}
