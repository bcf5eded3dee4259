namespace Mandate.Core.Governance.Findings;

/// <summary>
/// Which actions change something, for <c>broad_policy</c>: an action named in <see cref="GovernanceOptions.ReadOnlyActions"/>
/// never is; one named in <see cref="GovernanceOptions.WriteActions"/> always is; otherwise the action's name is split
/// into words (at case changes, digits and any of <c>_ - . : /</c>) and it is write-like when one word is a verb that
/// changes state (<see cref="Verbs"/>). Names are compared without case.
/// </summary>
internal sealed class WriteLikeActions
{
    /// <summary>The verbs that make an action write-like.</summary>
    public static readonly IReadOnlyList<string> Verbs =
    [
        "write", "create", "update", "delete", "remove", "put", "post", "patch", "modify", "edit", "change", "set",
        "insert", "upsert", "upload", "import", "drop", "purge", "destroy", "erase", "wipe", "truncate", "reset",
        "deploy", "release", "publish", "push", "merge", "commit", "rollback", "scale", "restart", "stop", "start",
        "terminate", "kill", "shutdown", "exec", "execute", "run", "invoke", "call", "send", "transfer", "pay",
        "refund", "approve", "reject", "grant", "revoke", "assign", "unassign", "rotate", "disable", "enable", "suspend",
        "admin", "manage", "configure", "sign", "mint", "impersonate", "escalate", "own", "share",
    ];

    private static readonly HashSet<string> VerbSet = new(Verbs, StringComparer.OrdinalIgnoreCase);

    private readonly HashSet<string> write;
    private readonly HashSet<string> readOnly;

    public WriteLikeActions(GovernanceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        write = new HashSet<string>(options.WriteActions, StringComparer.OrdinalIgnoreCase);
        readOnly = new HashSet<string>(options.ReadOnlyActions, StringComparer.OrdinalIgnoreCase);
    }

    public bool IsWriteLike(string action)
    {
        ArgumentNullException.ThrowIfNull(action);
        if (readOnly.Contains(action))
        {
            return false;
        }

        return write.Contains(action) || Words(action).Any(VerbSet.Contains);
    }

    internal static IEnumerable<string> Words(string name)
    {
        var start = 0;
        for (var i = 1; i <= name.Length; i++)
        {
            var boundary = i == name.Length
                || !char.IsLetter(name[i])
                || (char.IsUpper(name[i]) && char.IsLower(name[i - 1]))
                || (char.IsUpper(name[i]) && i + 1 < name.Length && char.IsLower(name[i + 1]) && char.IsUpper(name[i - 1]));
            if (!boundary)
            {
                continue;
            }

            if (i > start && char.IsLetter(name[start]))
            {
                yield return name[start..i];
            }

            start = i < name.Length && !char.IsLetter(name[i]) ? i + 1 : i;
        }
    }
}
