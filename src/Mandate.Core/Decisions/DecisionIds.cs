using System.Security.Cryptography;

namespace Mandate.Core.Decisions;

/// <summary>
/// Opaque decision ids: a per-process random prefix plus a counter, so making one costs an increment and a format
/// (no lock, no allocation beyond the string) and ids never repeat across restarts.
/// </summary>
internal static class DecisionIds
{
    private static readonly string Prefix = "d_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)) + "_";
    private static long counter;

    public static string Next() =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Prefix}{Interlocked.Increment(ref counter):x}");
}
