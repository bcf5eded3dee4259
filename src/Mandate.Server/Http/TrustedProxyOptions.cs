namespace Mandate.Server.Http;

/// <summary>
/// The proxies whose <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> are believed (configuration
/// <c>Mandate:ForwardedHeaders</c>). Empty by default: then no forwarded header is read at all, and a client cannot
/// choose the address or scheme the server sees. Only a request whose peer is one of these addresses, or in one of
/// these networks, has its client address and scheme taken from the headers, and only the last hop of them
/// (<see cref="ForwardLimit"/>). <c>X-Forwarded-Host</c> is never read: the public URL comes from configuration only.
/// </summary>
internal sealed class TrustedProxyOptions
{
    public const string SectionName = "Mandate:ForwardedHeaders";

    /// <summary>IP addresses of the proxies in front of the server (e.g. <c>10.0.0.5</c>).</summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>Networks the proxies are in, in CIDR notation (e.g. <c>10.0.0.0/24</c>).</summary>
    public string[] KnownNetworks { get; set; } = [];

    /// <summary>How many hops of the headers are read, from the right: the number of trusted proxies in a row (1 to 10).</summary>
    public int ForwardLimit { get; set; } = 1;

    /// <summary>Whether any proxy is trusted.</summary>
    public bool TrustsAnyProxy() => KnownProxies.Length > 0 || KnownNetworks.Length > 0;
}
