using Mandate.Cedar;
using Mandate.Core.Credentials;

namespace Mandate.Core.Decisions;

/// <summary>
/// What a verified credential lets its holder do at the decision point: the intersection of its scope and its task
/// intent. Exchange narrows both along the chain (and every ancestor must still be live), so the credential's own
/// scope and intent are the whole chain's.
/// </summary>
internal static class CredentialRights
{
    /// <summary>The deny code and description when the action or resource is outside the credential's rights; null when inside.</summary>
    public static (string Code, string Description)? Refusal(VerifiedCredential credential, EntityUid action, EntityUid resource)
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
        }

        return null;
    }
}
