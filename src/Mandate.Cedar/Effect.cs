namespace Mandate.Cedar;

/// <summary>What a policy does when it applies.</summary>
public enum Effect
{
    /// <summary>A <c>permit</c> policy: allows, unless a forbid applies too.</summary>
    Permit,
    /// <summary>A <c>forbid</c> policy: denies, whatever permits apply.</summary>
    Forbid,
}
