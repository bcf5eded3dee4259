namespace Mandate.Cedar.Schemas;

/// <summary>Helpers for Cedar names.</summary>
internal static class SchemaNames
{
    /// <summary>True for <c>Action</c> and <c>NS::Action</c>: the entity types of actions.</summary>
    public static bool IsActionType(string type) =>
        string.Equals(type, "Action", StringComparison.Ordinal) || type.EndsWith("::Action", StringComparison.Ordinal);
}
