namespace Mandate.Core.Operators;

/// <summary>
/// The <c>actor</c> of ledger events done by people: <c>operator:&lt;name&gt;</c> for a named operator, <c>admin</c> for
/// the bootstrap admin token.
/// </summary>
internal static class OperatorActors
{
    public const string Prefix = "operator:";

    /// <summary>The bootstrap admin token's actor, as before operators existed.</summary>
    public const string BootstrapAdmin = "admin";

    public static string Of(string operatorName) => Prefix + operatorName;

    /// <summary>The operator name of an actor (<c>operator:alice</c> → <c>alice</c>), or null for any other actor.</summary>
    public static string? NameOf(string? actor) =>
        actor is not null && actor.StartsWith(Prefix, StringComparison.Ordinal) && actor.Length > Prefix.Length ? actor[Prefix.Length..] : null;
}
