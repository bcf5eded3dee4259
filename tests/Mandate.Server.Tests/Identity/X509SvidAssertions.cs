using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;

namespace Mandate.Server.Tests.Identity;

internal static class X509SvidAssertions
{
    /// <summary>Every URI SAN of a certificate, read from the raw extension.</summary>
    public static List<string> UriSans(X509Certificate2 certificate)
    {
        var result = new List<string>();
        var extension = certificate.Extensions["2.5.29.17"];
        if (extension is null)
        {
            return result;
        }

        var names = new AsnReader(extension.RawData, AsnEncodingRules.DER).ReadSequence();
        var uriTag = new Asn1Tag(TagClass.ContextSpecific, 6);
        while (names.HasData)
        {
            if (names.PeekTag() == uriTag)
            {
                result.Add(names.ReadCharacterString(UniversalTagNumber.IA5String, uriTag));
            }
            else
            {
                names.ReadEncodedValue();
            }
        }

        return result;
    }
}
