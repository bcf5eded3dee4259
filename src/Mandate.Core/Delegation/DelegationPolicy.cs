using System.Text.Json;
using Mandate.Core.Credentials;

namespace Mandate.Core.Delegation;

/// <summary>Who may act for a subject token's subject: no cycles, then <c>may_act</c>, the task's delegates, or the holder asking.</summary>
internal static class DelegationPolicy
{
    /// <summary>Why <paramref name="actor"/> may not act for the subject, or null when it may.</summary>
    public static string? Refusal(ValidatedToken subject, ValidatedToken actor, string? clientId)
    {
        if (string.Equals(actor.Subject, subject.Subject, StringComparison.Ordinal) || subject.Chain.Contains(actor.Subject))
        {
            return $"{actor.Subject} is already in the delegation chain; a cycle is refused";
        }

        if (subject.MayAct is { } mayAct)
        {
            return MayActMatches(mayAct, actor)
                ? null
                : $"the subject token's may_act does not name the actor {actor.Subject}{(actor.Issuer is null ? string.Empty : " of " + actor.Issuer)}";
        }

        if (subject.Intent is { } intent && intent.Delegates.Contains(actor.Subject, StringComparer.Ordinal))
        {
            return null;
        }

        // Without may_act, the party that holds the subject token's authority (its subject or current actor) must be
        // the one asking: otherwise a token lifted from one flow could be spliced into another (RFC 8693 gap).
        if (clientId is not null
            && (string.Equals(clientId, subject.Subject, StringComparison.Ordinal)
                || string.Equals(clientId, subject.Chain.Current?.Subject, StringComparison.Ordinal)))
        {
            return null;
        }

        return $"nothing authorizes {actor.Subject} to act for {subject.Subject}: the subject token has no may_act naming it, the task does not list it as a delegate, and the client is neither the subject nor its current actor";
    }

    /// <summary>
    /// Why <paramref name="clientId"/> may not re-issue the subject token without an actor token (impersonation), or null
    /// when it may: only the party whose token it is — its subject, or its current actor when it is delegated — or a
    /// client that <c>may_act</c> names (by <c>sub</c> alone), or a client the operator trusts to impersonate.
    /// </summary>
    public static string? ImpersonationRefusal(ValidatedToken subject, string? clientId, IEnumerable<string> impersonatingClients)
    {
        var holder = subject.Chain.Current?.Subject ?? subject.Subject;
        if (clientId is null)
        {
            return "an exchange without actor_token needs an authenticated client";
        }

        if (string.Equals(clientId, holder, StringComparison.Ordinal)
            || (subject.MayAct is { } mayAct && MayActNamesClient(mayAct, clientId))
            || impersonatingClients.Contains(clientId, StringComparer.Ordinal))
        {
            return null;
        }

        return $"the client {clientId} may not re-issue a token held by {holder} without an actor_token: only its holder, or a client its may_act names, may";
    }

    /// <summary>A <c>may_act</c> that names the client: <c>sub</c> equal to the client id, and no other identity member.</summary>
    private static bool MayActNamesClient(JsonElement mayAct, string clientId)
    {
        if (mayAct.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        var named = false;
        foreach (var member in mayAct.EnumerateObject())
        {
            if (member.Name is "exp" or "nbf" or "aud" or "iat")
            {
                continue;
            }

            if (member.Name != "sub" || member.Value.ValueKind != JsonValueKind.String || !string.Equals(member.Value.GetString(), clientId, StringComparison.Ordinal))
            {
                return false;
            }

            named = true;
        }

        return named;
    }

    /// <summary>RFC 8693 §4.4: every member of <c>may_act</c> must equal the actor token's claim of the same name.</summary>
    private static bool MayActMatches(JsonElement mayAct, ValidatedToken actor)
    {
        if (mayAct.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        var any = false;
        foreach (var member in mayAct.EnumerateObject())
        {
            if (member.Name is "exp" or "nbf" or "aud" or "iat")
            {
                continue;
            }

            any = true;
            if (!actor.Payload.TryGetProperty(member.Name, out var claim) || !JsonElement.DeepEquals(claim, member.Value))
            {
                return false;
            }
        }

        return any;
    }
}
