using System.Net;
using Microsoft.Extensions.Options;

namespace Mandate.Server.Http;

/// <summary>Every trusted proxy is an IP address and every network a CIDR prefix; a typo is refused at start, naming the entry.</summary>
internal sealed class TrustedProxyOptionsValidator : IValidateOptions<TrustedProxyOptions>
{
    public ValidateOptionsResult Validate(string? name, TrustedProxyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        for (var i = 0; i < options.KnownProxies.Length; i++)
        {
            if (!IPAddress.TryParse(options.KnownProxies[i], out _))
            {
                failures.Add($"{TrustedProxyOptions.SectionName}:KnownProxies:{i}: \"{options.KnownProxies[i]}\" is not an IP address.");
            }
        }

        for (var i = 0; i < options.KnownNetworks.Length; i++)
        {
            if (!IsCanonicalNetwork(options.KnownNetworks[i]))
            {
                failures.Add($"{TrustedProxyOptions.SectionName}:KnownNetworks:{i}: \"{options.KnownNetworks[i]}\" is not a network in CIDR notation (e.g. 10.0.0.0/24, with no bits set after the prefix).");
            }
        }

        if (options.ForwardLimit is < 1 or > 10)
        {
            failures.Add($"{TrustedProxyOptions.SectionName}:ForwardLimit must be between 1 and 10.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>
    /// <c>10.0.0.0/24</c>, not <c>10.0.0.1/24</c>: an address with bits set after the prefix is probably a proxy's
    /// own address given with a mask by mistake, and would trust its whole network without saying so.
    /// </summary>
    private static bool IsCanonicalNetwork(string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        return slash > 0
            && IPNetwork.TryParse(text, out var network)
            && IPAddress.TryParse(text[..slash], out var address)
            && address.Equals(network.BaseAddress);
    }
}
