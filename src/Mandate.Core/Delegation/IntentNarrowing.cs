using System.Text.Json;
using Mandate.Core.Decisions;
using Mandate.Core.Tasks;
using Mandate.Protocol.OAuth;

namespace Mandate.Core.Delegation;

/// <summary>
/// The task intent of an exchanged token: the subject token's intent narrowed to the granted scope (actions) and to what
/// the request's <c>intent</c> parameter asks for (Mandate extension: a JSON object with <c>actions</c>,
/// <c>resources</c>, <c>sensitivity_ceiling</c>, <c>destinations</c>, each optional). Anything beyond the subject
/// token's intent is refused; an exchange never widens.
/// </summary>
internal static class IntentNarrowing
{
    /// <summary>The longest <c>intent</c> parameter read.</summary>
    public const int MaxLength = 8 * 1024;

    private const int MaxItems = 64;

    /// <summary>The narrowed intent (null when the subject token has none), or the refusal.</summary>
    public static (TaskIntent? Intent, TokenExchangeOutcome? Refusal) Narrow(TaskIntent? intent, IReadOnlyList<string> scopes, string? requested)
    {
        if (requested is not null && intent is null)
        {
            return (null, Invalid("intent narrows a task credential's intent, and the subject token belongs to no task"));
        }

        if (intent is null)
        {
            return (null, null);
        }

        // The scope string and the intent's actions mean the same rights: keep only what both grant.
        var actions = intent.Actions.Where(a => scopes.Contains(a, StringComparer.Ordinal)).ToList();
        var narrowed = intent with { Actions = actions };
        if (requested is null)
        {
            return (narrowed, null);
        }

        if (requested.Length > MaxLength)
        {
            return (null, Invalid($"intent must be at most {MaxLength} characters"));
        }

        JsonElement ask;
        try
        {
            using var document = JsonDocument.Parse(requested, new JsonDocumentOptions { MaxDepth = 4 });
            ask = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return (null, Invalid("intent must be a JSON object"));
        }

        if (ask.ValueKind != JsonValueKind.Object)
        {
            return (null, Invalid("intent must be a JSON object"));
        }

        foreach (var member in ask.EnumerateObject())
        {
            var (result, refusal) = member.Name switch
            {
                "actions" => Apply(member.Value, "actions", a => actions.Contains(a, StringComparer.Ordinal), list => narrowed with { Actions = list }),
                "resources" => Apply(member.Value, "resources", r => narrowed.Resources.Any(outer => ResourcePatterns.Contains(outer, r)), list => narrowed with { Resources = list }),
                "destinations" => Apply(member.Value, "destinations", d => narrowed.Destinations.Any(outer => CredentialRights.EntryCovers(outer, d)), list => narrowed with { Destinations = list }),
                "sensitivity_ceiling" => Ceiling(member.Value, narrowed),
                _ => (null, Invalid($"intent.{member.Name} is not a member Mandate narrows (actions, resources, sensitivity_ceiling, destinations)")),
            };
            if (refusal is not null)
            {
                return (null, refusal);
            }

            narrowed = result!;
        }

        return (narrowed, null);
    }

    private static (TaskIntent? Intent, TokenExchangeOutcome? Refusal) Apply(
        JsonElement value, string name, Func<string, bool> within, Func<IReadOnlyList<string>, TaskIntent> with)
    {
        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() > MaxItems
            || value.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(e.GetString())))
        {
            return (null, Invalid($"intent.{name} must be an array of at most {MaxItems} non-empty strings"));
        }

        var list = value.EnumerateArray().Select(e => e.GetString()!).Distinct(StringComparer.Ordinal).ToList();
        var beyond = list.Where(item => !within(item)).ToList();
        return beyond.Count > 0
            ? (null, Widening($"intent.{name} {string.Join(", ", beyond.Select(b => "'" + b + "'"))} is beyond the subject token's task (and granted scope)"))
            : (with(list), null);
    }

    private static (TaskIntent? Intent, TokenExchangeOutcome? Refusal) Ceiling(JsonElement value, TaskIntent intent)
    {
        if (value.ValueKind != JsonValueKind.String || !DataSensitivityNames.TryParse(value.GetString(), out var level))
        {
            return (null, Invalid("intent.sensitivity_ceiling must be public, low, medium, high or restricted"));
        }

        return level > intent.SensitivityCeiling
            ? (null, Widening($"intent.sensitivity_ceiling '{level.ToName()}' is above the subject token's task ceiling '{intent.SensitivityCeiling.ToName()}'"))
            : (intent with { SensitivityCeiling = level }, null);
    }

    private static TokenExchangeOutcome Invalid(string description) => TokenExchangeRequestRules.Invalid(description);

    private static TokenExchangeOutcome Widening(string description) => TokenExchangeOutcome.Refused(OAuthErrorCodes.InvalidScope, description);
}
