using System.Text.Json;

namespace Mandate.Core.Detection;

/// <summary>
/// The rules' memory in process, loaded from and written back to <c>detection_state</c>: the entries a batch changed
/// are written in the batch's transaction, together with the cursor; entries with nothing left to remember are deleted.
/// </summary>
internal sealed class DetectionStateStore
{
    public const string IdentityPrefix = "identity:";
    public const string CredentialPrefix = "credential:";

    private readonly Dictionary<string, IdentityDetectionState> identities = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CredentialDetectionState> credentials = new(StringComparer.Ordinal);

    // What changed since the last TakeChanges, by id and jti: the stored keys (prefixed) are only made when saved, not
    // each time a rule touches an entry (several rules per record).
    private readonly HashSet<string> dirtyIdentities = new(StringComparer.Ordinal);
    private readonly HashSet<string> dirtyCredentials = new(StringComparer.Ordinal);

    public int IdentityCount => identities.Count;

    public int CredentialCount => credentials.Count;

    public static DetectionStateStore Load(IReadOnlyDictionary<string, string> stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var state = new DetectionStateStore();
        foreach (var (key, json) in stored)
        {
            if (key.StartsWith(IdentityPrefix, StringComparison.Ordinal)
                && JsonSerializer.Deserialize(json, DetectionJson.Default.IdentityDetectionState) is { } identity)
            {
                state.identities[key[IdentityPrefix.Length..]] = identity;
            }
            else if (key.StartsWith(CredentialPrefix, StringComparison.Ordinal)
                && JsonSerializer.Deserialize(json, DetectionJson.Default.CredentialDetectionState) is { } credential)
            {
                state.credentials[key[CredentialPrefix.Length..]] = credential;
            }
        }

        return state;
    }

    /// <summary>The identity's state, created when new; marked as changed.</summary>
    public IdentityDetectionState Identity(string id)
    {
        if (!identities.TryGetValue(id, out var state))
        {
            state = new IdentityDetectionState();
            identities[id] = state;
        }

        dirtyIdentities.Add(id);
        return state;
    }

    /// <summary>The credential's state, created when new; marked as changed.</summary>
    public CredentialDetectionState Credential(string jti)
    {
        if (!credentials.TryGetValue(jti, out var state))
        {
            state = new CredentialDetectionState();
            credentials[jti] = state;
        }

        dirtyCredentials.Add(jti);
        return state;
    }

    /// <summary>
    /// The changed entries as key → JSON (null: delete), and forgets that they changed. A credential not seen for
    /// <paramref name="forgetAfter"/> is dropped (its windows are long over).
    /// </summary>
    public List<KeyValuePair<string, string?>> TakeChanges(long now, TimeSpan forgetAfter)
    {
        var changes = new List<KeyValuePair<string, string?>>(dirtyIdentities.Count + dirtyCredentials.Count);
        foreach (var id in dirtyIdentities)
        {
            changes.Add(new(IdentityPrefix + id, JsonSerializer.Serialize(identities[id], DetectionJson.Default.IdentityDetectionState)));
        }

        foreach (var jti in dirtyCredentials)
        {
            var state = credentials[jti];
            if (now - state.LastSeen > (long)forgetAfter.TotalMilliseconds && state.QuietUntil < now)
            {
                credentials.Remove(jti);
                changes.Add(new(CredentialPrefix + jti, null));
            }
            else
            {
                changes.Add(new(CredentialPrefix + jti, JsonSerializer.Serialize(state, DetectionJson.Default.CredentialDetectionState)));
            }
        }

        dirtyIdentities.Clear();
        dirtyCredentials.Clear();
        return changes;
    }
}
