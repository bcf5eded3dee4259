using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mandate.Core.Audit;

namespace Mandate.Core.Governance.Offboarding;

/// <summary>
/// Checks an offboarding evidence pack with nothing but the ledger's public keys: the pack's signature, every ledger
/// event's inclusion proof against its signed checkpoint, and that every sequence the pack cites (a credential's
/// revocation, an identity's status change, its join tokens) is one of those proven events and says what the pack says.
/// Every problem found is reported, each naming where it is.
/// </summary>
internal static class EvidenceVerifier
{
    public static EvidenceVerification Verify(string json, IReadOnlyList<AuditPublicKey> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        JsonObject document;
        try
        {
            document = JsonNode.Parse(json) as JsonObject ?? throw new JsonException("the document is not a JSON object");
        }
        catch (JsonException ex)
        {
            return EvidenceVerification.Broken("the evidence pack is not valid JSON: " + ex.Message);
        }

        var problems = new List<string>();
        if (Text(document, "format") != EvidencePack.Format || Number(document, "version") != EvidencePack.FormatVersion)
        {
            problems.Add($"format: not a {EvidencePack.Format} version {EvidencePack.FormatVersion.ToString(CultureInfo.InvariantCulture)}");
        }

        var keyId = CheckSignature(document, keys, problems);
        var proven = CheckLedger(document, keys, problems);
        var identities = document["identities"] as JsonArray;
        if (identities is null)
        {
            problems.Add("identities: missing or not an array");
        }
        else
        {
            CheckCitations(identities, proven, problems);
        }

        return new EvidenceVerification(problems.Count == 0, problems, Text(document, "id"), Text(document, "owner"), identities?.Count ?? 0, proven.Count, keyId);
    }

    private static string? CheckSignature(JsonObject document, IReadOnlyList<AuditPublicKey> keys, List<string> problems)
    {
        if (document[EvidencePack.SignatureMember] is not JsonObject signature)
        {
            problems.Add("signature: missing");
            return null;
        }

        var kid = Text(signature, "kid");
        var value = Text(signature, "value");
        if (Text(signature, "alg") != AuditPublicKey.Es256 || kid is null || value is null)
        {
            problems.Add("signature: alg must be ES256, with kid and value");
            return kid;
        }

        var key = keys.FirstOrDefault(k => k.KeyId == kid);
        if (key is null)
        {
            problems.Add($"signature: signed with key {kid}, which is not among the trusted keys ({string.Join(", ", keys.Select(k => k.KeyId))})");
            return kid;
        }

        bool valid;
        try
        {
            valid = key.Verify(EvidencePack.SigningInput(document), value);
        }
        catch (Exception ex) when (ex is FormatException or Audit.Canonical.JsonCanonicalizationException)
        {
            valid = false;
        }

        if (!valid)
        {
            problems.Add($"signature: does not verify with key {kid}: the document was changed after it was signed (or the signature was)");
        }

        return kid;
    }

    /// <summary>The proven events by sequence: their canonical body.</summary>
    private static Dictionary<long, JsonElement> CheckLedger(JsonObject document, IReadOnlyList<AuditPublicKey> keys, List<string> problems)
    {
        var proven = new Dictionary<long, JsonElement>();
        if (document["ledger"] is not JsonArray ledger)
        {
            problems.Add("ledger: missing or not an array");
            return proven;
        }

        for (var i = 0; i < ledger.Count; i++)
        {
            var where = $"ledger[{i.ToString(CultureInfo.InvariantCulture)}]";
            if (ledger[i] is not JsonObject entry || Number(entry, "seq") is not { } seq || entry["proof"] is not JsonObject proofNode)
            {
                problems.Add(where + ": needs seq and proof");
                continue;
            }

            where += $" (seq {seq.ToString(CultureInfo.InvariantCulture)})";
            AuditInclusionProof proof;
            try
            {
                using var parsed = JsonDocument.Parse(proofNode.ToJsonString());
                proof = AuditInclusionProof.Parse(parsed.RootElement);
            }
            catch (Exception ex) when (ex is FormatException or JsonException or InvalidOperationException or KeyNotFoundException)
            {
                problems.Add($"{where}: the proof cannot be read: {ex.Message}");
                continue;
            }

            if (proof.Sequence != seq)
            {
                problems.Add($"{where}: the proof is for event {proof.Sequence.ToString(CultureInfo.InvariantCulture)}");
                continue;
            }

            var verification = AuditInclusionProofs.Verify(proof, keys);
            if (!verification.Verified)
            {
                problems.Add($"{where}: the inclusion proof does not hold: {verification.Reason}");
                continue;
            }

            using var body = JsonDocument.Parse(proof.CanonicalJson);
            if (Text(entry, "type") is { } type && (!body.RootElement.TryGetProperty("type", out var t) || t.GetString() != type))
            {
                problems.Add($"{where}: the pack says {type}, the proven event is not");
                continue;
            }

            proven[seq] = body.RootElement.Clone();
        }

        return proven;
    }

    private static void CheckCitations(JsonArray identities, Dictionary<long, JsonElement> proven, List<string> problems)
    {
        for (var i = 0; i < identities.Count; i++)
        {
            var where = $"identities[{i.ToString(CultureInfo.InvariantCulture)}]";
            if (identities[i] is not JsonObject identity || Text(identity, "id") is not { } id)
            {
                problems.Add(where + ": needs an id");
                continue;
            }

            where += $" ({id})";
            Cite(where + ".status_seq", Number(identity, "status_seq"), proven, problems, "subject", id);
            if (Number(identity, "join_tokens_seq") is { } joinSeq)
            {
                Cite(where + ".join_tokens_seq", joinSeq, proven, problems, "subject", id);
            }

            if (identity["x509_svids"] is JsonArray certificates)
            {
                for (var c = 0; c < certificates.Count; c++)
                {
                    Cite(
                        $"{where}.x509_svids[{c.ToString(CultureInfo.InvariantCulture)}].issued_seq",
                        certificates[c] is JsonObject certificate ? Number(certificate, "issued_seq") : null,
                        proven,
                        problems,
                        "subject",
                        id);
                }
            }

            if (identity["credentials"] is not JsonArray credentials)
            {
                problems.Add(where + ".credentials: missing or not an array");
                continue;
            }

            for (var c = 0; c < credentials.Count; c++)
            {
                var at = $"{where}.credentials[{c.ToString(CultureInfo.InvariantCulture)}]";
                if (credentials[c] is not JsonObject credential || Text(credential, "jti") is not { } jti)
                {
                    problems.Add(at + ": needs a jti");
                    continue;
                }

                if (Text(credential, "state") == "revoked")
                {
                    Cite(at + ".seq", Number(credential, "seq"), proven, problems, "jti", jti);
                }
            }
        }
    }

    private static void Cite(string where, long? seq, Dictionary<long, JsonElement> proven, List<string> problems, string member, string expected)
    {
        if (seq is null)
        {
            problems.Add(where + ": missing");
            return;
        }

        if (!proven.TryGetValue(seq.Value, out var body))
        {
            problems.Add($"{where}: event {seq.Value.ToString(CultureInfo.InvariantCulture)} is not among the proven ledger events");
            return;
        }

        if (!body.TryGetProperty(member, out var value) || value.GetString() != expected)
        {
            problems.Add($"{where}: event {seq.Value.ToString(CultureInfo.InvariantCulture)} is about another {member} than {expected}");
        }
    }

    private static string? Text(JsonObject node, string name) =>
        node[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static long? Number(JsonObject node, string name) =>
        node[name] is JsonValue value && value.TryGetValue<long>(out var number) ? number : null;
}
