namespace Mandate.Cedar;

/// <summary>How strictly the validator treats mixed types.</summary>
public enum ValidationMode
{
    /// <summary>Cedar's default: entity types, record shapes and attribute qualifiers must agree exactly.</summary>
    Strict,

    /// <summary>Allows the least upper bound of different entity types and record widths.</summary>
    Permissive,
}
