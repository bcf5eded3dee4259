using System.Security.Cryptography;

namespace Mandate.Core.Decisions;

/// <summary>
/// Opaque decision ids: <c>d_</c> and 128 random bits (hex). Random rather than a counter, so an id tells nobody how many
/// decisions the server made or which other ids exist, and ids never repeat across restarts or nodes.
/// </summary>
/// <remarks>
/// The bits come from the operating system's CSPRNG as before, but a block at a time per thread: asking it for 16 bytes
/// per decision was a system call per decision, a visible share of the decision point's CPU under load. Each id still
/// takes 16 bytes of that output no other id uses, so ids are exactly as unpredictable.
/// </remarks>
internal static class DecisionIds
{
    private const int IdBytes = 16;
    private const int BlockBytes = IdBytes * 256;

    [ThreadStatic]
    private static byte[]? block;

    [ThreadStatic]
    private static int used;

    public static string Next()
    {
        var random = block;
        if (random is null || used == BlockBytes)
        {
            random = block ??= new byte[BlockBytes];
            RandomNumberGenerator.Fill(random);
            used = 0;
        }

        var id = string.Create(2 + (IdBytes * 2), random.AsSpan(used, IdBytes), static (chars, bytes) =>
        {
            chars[0] = 'd';
            chars[1] = '_';
            Convert.TryToHexStringLower(bytes, chars[2..], out _);
        });

        // Never handed out twice: the bytes are cleared once used.
        random.AsSpan(used, IdBytes).Clear();
        used += IdBytes;
        return id;
    }
}
