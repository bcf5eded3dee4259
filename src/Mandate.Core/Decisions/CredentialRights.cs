using Mandate.Cedar;
using Mandate.Core.Credentials;
using Mandate.Core.Identity;

namespace Mandate.Core.Decisions;

/// <summary>
/// What a verified credential lets its holder do at the decision point: the intersection of its scope and its task
/// intent. Exchange narrows both along the chain (and every ancestor must still be live), so the credential's own
/// scope and intent are the whole chain's.
/// </summary>
internal static class CredentialRights
{
    /// <summary>The deny code and description when the action or resource is outside the credential's rights; null when inside.</summary>
    /// <param name="credential">The verified credential.</param>
    /// <param name="action">The request's action.</param>
    /// <param name="resource">The request's resource.</param>
    /// <param name="destination">The request's <c>context.destination</c> (where data goes), when it names one.</param>
    public static (string Code, string Description)? Refusal(VerifiedCredential credential, EntityUid action, EntityUid resource, string? destination)
    {
        // Task and exchanged credentials carry their rights in scope: an action the scope does not grant is denied,
        // whatever the copied intent says (a token exchanged down to "read" never writes).
        if (credential.Kind is CredentialKinds.Task or CredentialKinds.Exchanged
            && !credential.Scopes.Contains(action.Id, StringComparer.Ordinal))
        {
            return ("outside_credential_scope", $"The credential's scope does not include the action '{action.Id}'.");
        }

        if (credential.Intent is { } intent)
        {
            if (!intent.Actions.Contains(action.Id, StringComparer.Ordinal))
            {
                return ("outside_task_scope", $"The task does not include the action '{action.Id}'.");
            }

            if (!TaskScope.Covers(intent.Resources, resource))
            {
                return ("outside_task_scope", $"The task does not include the resource {resource}.");
            }

            if (destination is not null && !DestinationAllowed(intent.Destinations, destination, credential.Subject))
            {
                return ("outside_task_scope", "The task does not allow data to go to the request's destination.");
            }
        }

        return null;
    }

    /// <summary>
    /// A task's data may go inside its owner's trust domain, and outside it only where the intent lists: a SPIFFE ID, a
    /// trust domain (<c>spiffe://td</c>) covering its IDs, or a host name covering URIs of that host.
    /// </summary>
    private static bool DestinationAllowed(IReadOnlyList<string> allowed, string destination, string subject)
    {
        if (TrustDomainOf(destination) is { } domain && string.Equals(domain, TrustDomainOf(subject), StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var host = Uri.TryCreate(destination, UriKind.Absolute, out var uri) && !string.IsNullOrEmpty(uri.Host) ? uri.Host : null;
        foreach (var entry in allowed)
        {
            if (EntryCovers(entry, destination)
                || (!entry.Contains("://", StringComparison.Ordinal) && string.Equals(entry, host, StringComparison.OrdinalIgnoreCase)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A destination entry covers itself and, as a trust domain (<c>spiffe://td</c>), the SPIFFE IDs in it.</summary>
    internal static bool EntryCovers(string entry, string destination) =>
        string.Equals(entry, destination, StringComparison.Ordinal)
        || (entry.StartsWith("spiffe://", StringComparison.Ordinal) && entry.IndexOf('/', "spiffe://".Length) < 0
            && destination.StartsWith(entry + "/", StringComparison.Ordinal));

    /// <summary>The trust domain of a valid SPIFFE ID; null for anything else (a URL, a host, a malformed ID).</summary>
    private static string? TrustDomainOf(string id) => SpiffeId.TryParse(id, out var spiffeId) ? spiffeId.TrustDomain : null;
}
