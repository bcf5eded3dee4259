using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Mandate.Server.Tests.Identity;

/// <summary>Reads a DER CRL (RFC 5280 section 5.1) with System.Formats.Asn1, independently of the code that builds it.</summary>
internal static class CrlTestReader
{
    private const string CrlNumberOid = "2.5.29.20";
    private const string EcdsaWithSha256Oid = "1.2.840.10045.4.3.2";

    public static ParsedCrl Parse(byte[] der)
    {
        var outer = new AsnReader(der, AsnEncodingRules.DER);
        var certificateList = outer.ReadSequence();
        outer.ThrowIfNotEmpty();
        var tbsRaw = certificateList.PeekEncodedValue().ToArray();
        var tbs = certificateList.ReadSequence();
        var algorithm = certificateList.ReadSequence();
        var signatureAlgorithm = algorithm.ReadObjectIdentifier();
        var signature = certificateList.ReadBitString(out _);
        certificateList.ThrowIfNotEmpty();

        Assert.Equal(BigInteger.One, tbs.ReadInteger()); // v2: extensions are present
        var innerAlgorithm = tbs.ReadSequence().ReadObjectIdentifier();
        Assert.Equal(signatureAlgorithm, innerAlgorithm);
        var issuer = tbs.ReadEncodedValue().ToArray();
        var thisUpdate = ReadTime(tbs);
        var nextUpdate = ReadTime(tbs);
        var serials = new List<string>();
        long? number = null;
        var extensionOids = new List<string>();
        if (tbs.HasData && tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
        {
            var entries = tbs.ReadSequence();
            while (entries.HasData)
            {
                var entry = entries.ReadSequence();
                serials.Add(Convert.ToHexString(entry.ReadIntegerBytes().Span));
                ReadTime(entry);
            }
        }

        if (tbs.HasData)
        {
            var extensions = tbs.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0)).ReadSequence();
            while (extensions.HasData)
            {
                var extension = extensions.ReadSequence();
                var oid = extension.ReadObjectIdentifier();
                if (extension.PeekTag().HasSameClassAndValue(Asn1Tag.Boolean))
                {
                    extension.ReadBoolean();
                }

                var value = extension.ReadOctetString();
                extensionOids.Add(oid);
                if (oid == CrlNumberOid)
                {
                    number = (long)new AsnReader(value, AsnEncodingRules.DER).ReadInteger();
                }
            }
        }

        tbs.ThrowIfNotEmpty();
        Assert.NotNull(number);
        Assert.Contains("2.5.29.35", extensionOids); // authority key identifier: which CA key signed it
        return new ParsedCrl(tbsRaw, signatureAlgorithm, signature, issuer, thisUpdate, nextUpdate, serials, number.Value);
    }

    private static DateTimeOffset ReadTime(AsnReader reader) =>
        reader.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) ? reader.ReadUtcTime() : reader.ReadGeneralizedTime();

    internal sealed record ParsedCrl(
        byte[] Tbs,
        string SignatureAlgorithm,
        byte[] Signature,
        byte[] IssuerName,
        DateTimeOffset ThisUpdate,
        DateTimeOffset NextUpdate,
        IReadOnlyList<string> Serials,
        long Number)
    {
        public bool IsSignedBy(X509Certificate2 authority)
        {
            Assert.Equal(EcdsaWithSha256Oid, SignatureAlgorithm);
            using var key = authority.GetECDsaPublicKey()!;
            return key.VerifyData(Tbs, Signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }
    }
}
