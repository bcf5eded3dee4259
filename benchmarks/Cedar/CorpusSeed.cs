namespace Mandate.Benchmarks.Cedar;

/// <summary>The seed every published figure uses; change it only to check that results do not hinge on one draw.</summary>
public static class CorpusSeed
{
    public const ulong Default = 20240416;
}
