namespace Mandate.Core.Operators;

/// <summary>The operator and token a presented token belongs to, or why it was refused.</summary>
internal sealed record OperatorAuthentication(OperatorAccount? Operator, OperatorToken? Token, string? Failure)
{
    public bool Succeeded => Operator is not null;

    public static OperatorAuthentication Fail(string reason) => new(null, null, reason);
}
