using Mandate.Core.Detection.SharedSignals;
using Mandate.Server.Http;
using Microsoft.Extensions.Options;

namespace Mandate.Server.Detection;

/// <summary>The transmitter's issuer: <c>Mandate:SharedSignals:Issuer</c>, else the server's public URL.</summary>
internal sealed class SsfIssuer(IOptions<SsfOptions> options, PublicBaseUrl baseUrl) : ISsfIssuer
{
    public string Issuer => options.Value.Issuer is { Length: > 0 } configured ? configured : baseUrl.Value();
}
