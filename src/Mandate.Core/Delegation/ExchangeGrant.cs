using Mandate.Core.Credentials;
using Mandate.Core.Tasks;

namespace Mandate.Core.Delegation;

/// <summary>What a token exchange has decided to issue: for whom, through which chain, to which audiences, with which scopes and task intent, until when.</summary>
internal sealed record ExchangeGrant(
    ValidatedToken Subject,
    ValidatedToken? Actor,
    ActorChain Chain,
    IReadOnlyList<string> Targets,
    IReadOnlyList<string> Scopes,
    TaskIntent? Intent,
    DateTimeOffset IssuedAt,
    DateTimeOffset ExpiresAt);
