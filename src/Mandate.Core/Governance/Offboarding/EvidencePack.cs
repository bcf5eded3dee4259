using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mandate.Core.Audit;
using Mandate.Core.Audit.Canonical;
using Microsoft.IdentityModel.Tokens;

namespace Mandate.Core.Governance.Offboarding;

/// <summary>
/// The offboarding evidence pack: one JSON document, signed with the ledger's checkpoint key (ES256 over the RFC 8785
/// canonical form of the document without its <c>signature</c> member, IEEE P1363 r||s, base64url), so that anyone
/// holding the keys of <c>/v1/audit/keys</c> can check it offline with <see cref="EvidenceVerifier"/>.
/// </summary>
internal static class EvidencePack
{
    public const string Format = "mandate.offboarding.evidence";
    public const int FormatVersion = 1;
    public const string SignatureMember = "signature";

    /// <summary>The bytes the signature covers: the canonical document without <see cref="SignatureMember"/>.</summary>
    public static byte[] SigningInput(JsonObject document)
    {
        ArgumentNullException.ThrowIfNull(document);
        var copy = (JsonObject)document.DeepClone();
        copy.Remove(SignatureMember);
        return JsonCanonicalizer.Canonicalize(copy.ToJsonString());
    }

    /// <summary>Signs <paramref name="document"/> in place and returns its text.</summary>
    public static string Sign(JsonObject document, AuditPublicKey publicKey, ECDsa privateKey)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(publicKey);
        ArgumentNullException.ThrowIfNull(privateKey);
        var signature = privateKey.SignData(SigningInput(document), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        document[SignatureMember] = new JsonObject
        {
            ["alg"] = publicKey.Algorithm,
            ["kid"] = publicKey.KeyId,
            ["value"] = Base64UrlEncoder.Encode(signature),
        };
        return document.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>An inclusion proof as the JSON object <c>mandate audit prove</c> prints.</summary>
    public static JsonNode ProofNode(AuditInclusionProof proof)
    {
        ArgumentNullException.ThrowIfNull(proof);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            proof.WriteJson(writer);
        }

        return JsonNode.Parse(buffer.ToArray())!;
    }
}
