namespace Mandate.Core.Credentials;

/// <summary>What a revocation names (lower-case on the wire).</summary>
internal static class RevocationTargetKind
{
    /// <summary>One credential by <c>jti</c>.</summary>
    public const string Credential = "credential";

    /// <summary>Every credential of a task.</summary>
    public const string Task = "task";

    /// <summary>Every credential an identity holds or is the subject of.</summary>
    public const string Identity = "identity";

    /// <summary>Every credential held by or issued about any identity an owner owns in the inventory.</summary>
    public const string Owner = "owner";

    public static readonly IReadOnlyList<string> All = [Credential, Task, Identity, Owner];
}
