using System.Security.Cryptography;

namespace Mandate.Core.Decisions;

/// <summary>
/// Opaque decision ids: <c>d_</c> and 128 random bits (hex). Random rather than a counter, so an id tells nobody how many
/// decisions the server made or which other ids exist, and ids never repeat across restarts or nodes.
/// </summary>
internal static class DecisionIds
{
    public static string Next()
    {
        Span<byte> random = stackalloc byte[16];
        RandomNumberGenerator.Fill(random);
        return "d_" + Convert.ToHexStringLower(random);
    }
}
