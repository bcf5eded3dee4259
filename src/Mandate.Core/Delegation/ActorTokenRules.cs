using Mandate.Core.Credentials;

namespace Mandate.Core.Delegation;

/// <summary>
/// What an actor token may be (RFC 8693 §2.1 <c>actor_token</c>): proof of the acting party itself — its own JWT-SVID or
/// another identity token of it — never a token whose authority is someone else's (a task credential, an exchanged
/// token, anything carrying <c>act</c>). A workload client acts only as itself, and a bound actor token needs the proof
/// of its key like any other presentation.
/// </summary>
internal static class ActorTokenRules
{
    /// <summary>Why <paramref name="actor"/> cannot stand for the acting party of this request, or null when it can.</summary>
    /// <param name="actor">The validated actor token.</param>
    /// <param name="clientId">The authenticated client.</param>
    /// <param name="dpopThumbprint">The key thumbprint of the request's valid DPoP proof, if any.</param>
    public static string? Refusal(ValidatedToken actor, string? clientId, string? dpopThumbprint)
    {
        if (actor.Chain.Depth > 0)
        {
            return "actor_token is a delegated token (it carries act) and speaks for its subject, not for the acting party: present the actor's own JWT-SVID";
        }

        if (actor.IsMandateIssued
            && (actor.Kind != CredentialKinds.Svid || actor.TaskId is not null || actor.Intent is not null || actor.TokenType is "at+jwt" or "exchanged+jwt"))
        {
            return $"actor_token is a Mandate {actor.Kind ?? "access"} credential, which carries its task's authority, not the acting party's identity: present the actor's own JWT-SVID";
        }

        // A workload authenticated as itself acts as itself: holding another workload's SVID does not make it that workload.
        if (clientId is not null && clientId.StartsWith("spiffe://", StringComparison.Ordinal)
            && !string.Equals(actor.Subject, clientId, StringComparison.Ordinal))
        {
            return $"actor_token names {actor.Subject}, but the client authenticated as {clientId}: a workload may only act as itself";
        }

        return actor.Confirmation switch
        {
            { Method: ProofOfPossession.Methods.Dpop } bound when !string.Equals(bound.Thumbprint, dpopThumbprint, StringComparison.Ordinal) =>
                "actor_token is DPoP-bound: send a DPoP proof signed with its key",
            { Method: ProofOfPossession.Methods.X509 } =>
                "actor_token is bound to an X.509 certificate, which this endpoint does not accept as proof",
            _ => null,
        };
    }
}
