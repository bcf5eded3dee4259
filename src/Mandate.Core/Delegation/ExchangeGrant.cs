using Mandate.Core.Credentials;

namespace Mandate.Core.Delegation;

/// <summary>What a token exchange has decided to issue: for whom, through which chain, to which audiences, with which scopes, until when.</summary>
internal sealed record ExchangeGrant(
    ValidatedToken Subject,
    ValidatedToken? Actor,
    ActorChain Chain,
    IReadOnlyList<string> Targets,
    IReadOnlyList<string> Scopes,
    DateTimeOffset IssuedAt,
    DateTimeOffset ExpiresAt);
