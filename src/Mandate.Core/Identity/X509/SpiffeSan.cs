using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;

namespace Mandate.Core.Identity.X509;

/// <summary>
/// A subjectAltName extension holding exactly one URI: the SPIFFE ID byte for byte. Written by hand because
/// <see cref="System.Uri"/> normalizes (<c>spiffe://td</c> would become <c>spiffe://td/</c>, which is not a SPIFFE ID).
/// </summary>
internal static class SpiffeSan
{
    public static X509Extension Create(string spiffeId, bool critical = false)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteCharacterString(UniversalTagNumber.IA5String, spiffeId, new Asn1Tag(TagClass.ContextSpecific, 6));
        }

        return new X509Extension("2.5.29.17", writer.Encode(), critical);
    }
}
