using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mandate.Core.Delegation;

/// <summary>
/// The RFC 8693 §4.1 <c>act</c> claim as a list: the current actor first, the first actor last. Each actor keeps the
/// identity claims it was given (<c>sub</c>, and <c>iss</c> where the issuer is needed to make it unique).
/// </summary>
internal sealed class ActorChain
{
    public static readonly ActorChain Empty = new([]);

    private ActorChain(IReadOnlyList<Actor> actors) => Actors = actors;

    /// <summary>Outermost (current) actor first.</summary>
    public IReadOnlyList<Actor> Actors { get; }

    public int Depth => Actors.Count;

    public Actor? Current => Actors.Count > 0 ? Actors[0] : null;

    public IReadOnlyList<string> Subjects => Actors.Select(a => a.Subject).ToList();

    /// <summary>Reads a nested <c>act</c> claim; fails on a member that is not an object or an actor without <c>sub</c>.</summary>
    public static bool TryParse(JsonElement? act, int maxDepth, out ActorChain chain, out string? error)
    {
        chain = Empty;
        error = null;
        var actors = new List<Actor>();
        var current = act;
        while (current is { } element && element.ValueKind != JsonValueKind.Undefined && element.ValueKind != JsonValueKind.Null)
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                error = "the act claim must be a JSON object";
                return false;
            }

            if (!element.TryGetProperty("sub", out var sub) || sub.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(sub.GetString()))
            {
                error = "an actor in the act claim has no sub";
                return false;
            }

            var iss = element.TryGetProperty("iss", out var issuer) && issuer.ValueKind == JsonValueKind.String ? issuer.GetString() : null;
            actors.Add(new Actor(sub.GetString()!, iss));
            if (actors.Count > maxDepth)
            {
                // Stop reading: the caller refuses chains this long anyway, and a hostile token must not make us recurse without bound.
                break;
            }

            current = element.TryGetProperty("act", out var inner) ? inner : null;
        }

        chain = new ActorChain(actors);
        return true;
    }

    /// <summary>The chain with <paramref name="actor"/> as the new current actor (the old chain nests inside it).</summary>
    public ActorChain Prepend(Actor actor) => new([actor, .. Actors]);

    public bool Contains(string subject) => Actors.Any(a => string.Equals(a.Subject, subject, StringComparison.Ordinal));

    /// <summary>The nested <c>act</c> object, or null for an empty chain.</summary>
    public JsonObject? ToClaim()
    {
        JsonObject? inner = null;
        for (var i = Actors.Count - 1; i >= 0; i--)
        {
            var node = new JsonObject { ["sub"] = Actors[i].Subject };
            if (Actors[i].Issuer is { } iss)
            {
                node["iss"] = iss;
            }

            if (inner is not null)
            {
                node["act"] = inner;
            }

            inner = node;
        }

        return inner;
    }
}
