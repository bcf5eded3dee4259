using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Mandate.Core.Identity.Attestation;

/// <summary>
/// Applies <see cref="ClaimMappingRule"/>s to a verified token's claims. A claim is named by its key, or by a
/// <c>/</c>-separated path into nested objects (<c>kubernetes.io/namespace</c>). Placeholders are <c>{claim}</c> or
/// <c>{claim[N]}</c> (the N-th <c>:</c>-separated part, e.g. <c>{sub[2]}</c> of
/// <c>system:serviceaccount:NS:NAME</c>). A substituted value must consist of SPIFFE path characters and <c>/</c>;
/// anything else makes the rule not match, so a claim can never inject <c>..</c>, a query or another trust domain.
/// </summary>
internal static class ClaimMapper
{
    public static SpiffeId? Map(JsonElement claims, IEnumerable<ClaimMappingRule> rules, string trustDomain)
    {
        ArgumentNullException.ThrowIfNull(rules);
        foreach (var rule in rules)
        {
            if (!rule.Match.All(m => Lookup(claims, m.Key) is { } value && Matches(value, m.Value)))
            {
                continue;
            }

            if (Expand(rule.SpiffeId, claims) is { } expanded
                && SpiffeId.TryParse(expanded, out var id)
                && id.IsMemberOf(trustDomain)
                && id.HasPath)
            {
                return id;
            }
        }

        return null;
    }

    private static bool Matches(string value, string pattern) =>
        pattern.EndsWith('*')
            ? value.StartsWith(pattern[..^1], StringComparison.Ordinal)
            : string.Equals(value, pattern, StringComparison.Ordinal);

    private static string? Expand(string template, JsonElement claims)
    {
        var output = new StringBuilder(template.Length + 32);
        var i = 0;
        while (i < template.Length)
        {
            var open = template.IndexOf('{', i);
            if (open < 0)
            {
                output.Append(template, i, template.Length - i);
                break;
            }

            var close = template.IndexOf('}', open);
            if (close < 0)
            {
                return null;
            }

            output.Append(template, i, open - i);
            var placeholder = template[(open + 1)..close];
            int? part = null;
            var bracket = placeholder.IndexOf('[', StringComparison.Ordinal);
            if (bracket > 0 && placeholder.EndsWith(']'))
            {
                if (!int.TryParse(placeholder[(bracket + 1)..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                {
                    return null;
                }

                part = n;
                placeholder = placeholder[..bracket];
            }

            var value = Lookup(claims, placeholder);
            if (value is null)
            {
                return null;
            }

            if (part is { } index)
            {
                var parts = value.Split(':');
                if (index >= parts.Length)
                {
                    return null;
                }

                value = parts[index];
            }

            if (value.Length == 0 || value.Length > 256 || !value.All(IsSafe))
            {
                return null;
            }

            output.Append(value);
            i = close + 1;
        }

        return output.ToString();
    }

    private static bool IsSafe(char c) => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '.' or '-' or '_' or '/';

    private static string? Lookup(JsonElement claims, string name)
    {
        if (claims.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        if (claims.TryGetProperty(name, out var direct))
        {
            return Text(direct);
        }

        var current = claims;
        foreach (var segment in name.Split('/'))
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(segment, out current))
            {
                return null;
            }
        }

        return Text(current);
    }

    private static string? Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => null,
    };
}
