namespace Mandate.Core.Delegation;

/// <summary>An RFC 8693 §2.1 request as received (form parameters), with who sent it.</summary>
internal sealed record TokenExchangeRequest
{
    public string? GrantType { get; init; }

    public string? SubjectToken { get; init; }

    public string? SubjectTokenType { get; init; }

    public string? ActorToken { get; init; }

    public string? ActorTokenType { get; init; }

    public string? RequestedTokenType { get; init; }

    public string? Scope { get; init; }

    /// <summary>The <c>intent</c> parameter (Mandate extension): JSON narrowing the subject token's task intent.</summary>
    public string? Intent { get; init; }

    public IReadOnlyList<string> Resources { get; init; } = [];

    public IReadOnlyList<string> Audiences { get; init; } = [];

    /// <summary>The authenticated client (a SPIFFE ID or a configured client id).</summary>
    public string? ClientId { get; init; }

    /// <summary>The thumbprint of the key of a valid DPoP proof sent with the request: the issued token is bound to it.</summary>
    public string? DpopThumbprint { get; init; }

    public string? RequestId { get; init; }
}
