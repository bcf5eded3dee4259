namespace Mandate.Core.Operators;

/// <summary>A token just created: the secret (shown once, never stored) and its stored record.</summary>
internal sealed record IssuedOperatorToken(string Secret, OperatorToken Token, OperatorAccount Operator);
