using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mandate.Cedar;
using Mandate.Core.Audit;

namespace Mandate.Core.Decisions;

/// <summary>
/// The request's context as a decision's audit record keeps it (<c>details.context</c>): the members the caller sent
/// (the reserved ones, such as the credential, never) and the principal's risk when it is not low, in Cedar's JSON
/// form, so a decision can be reconstructed from the ledger with what the policies saw. Members the verified credential
/// adds (<c>task</c>, <c>chain</c>, <c>chain_depth</c>) are not repeated: the record already names the task and the
/// chain. A member whose name says it holds a secret (<c>password</c>, <c>api_key</c>, … at any depth) is kept as a
/// fingerprint, and token-shaped text anywhere is fingerprinted by <see cref="AuditSecretGuard"/> as in every event.
/// A context larger than <see cref="MaxBytes"/> is not kept; its size is (<c>details.context_omitted</c>).
/// </summary>
internal static class DecisionContextRecord
{
    /// <summary>The largest context kept in a decision's record, in UTF-8 bytes of its JSON.</summary>
    public const int MaxBytes = 4096;

    /// <summary>The context's JSON, or null with <paramref name="omittedBytes"/> set when it is over the limit.</summary>
    public static string? ToJson(IReadOnlyDictionary<string, CedarValue> members, out int omittedBytes)
    {
        ArgumentNullException.ThrowIfNull(members);
        omittedBytes = 0;
        var json = CedarValue.Record(members).ToJson();
        if (MayNameSecret(members))
        {
            var node = JsonNode.Parse(json)!;
            RedactSecretMembers(node);
            json = node.ToJsonString();
        }

        var bytes = Encoding.UTF8.GetByteCount(json);
        if (bytes > MaxBytes)
        {
            omittedBytes = bytes;
            return null;
        }

        return json;
    }

    private static bool MayNameSecret(IReadOnlyDictionary<string, CedarValue> members)
    {
        foreach (var (name, value) in members)
        {
            // Nested records are checked as JSON: only a flat context of plain values skips the parse.
            if (AuditSecretGuard.IsSecretName(name) || value.Kind is CedarValueKind.Record or CedarValueKind.Set)
            {
                return true;
            }
        }

        return false;
    }

    private static void RedactSecretMembers(JsonNode node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var name in obj.Select(p => p.Key).ToList())
                {
                    if (AuditSecretGuard.IsSecretName(name) && obj[name] is { } secret)
                    {
                        var text = secret.GetValueKind() == JsonValueKind.String ? secret.GetValue<string>() : secret.ToJsonString();
                        obj[name] = AuditSecretGuard.Fingerprint(text);
                    }
                    else if (obj[name] is { } child)
                    {
                        RedactSecretMembers(child);
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    if (item is not null)
                    {
                        RedactSecretMembers(item);
                    }
                }

                break;
        }
    }
}
