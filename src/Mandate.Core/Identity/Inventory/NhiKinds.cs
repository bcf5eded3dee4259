namespace Mandate.Core.Identity.Inventory;

/// <summary>Wire names of <see cref="NhiKind"/> (snake_case, as stored and as the API speaks them).</summary>
internal static class NhiKinds
{
    private static readonly (NhiKind Kind, string Name)[] Names =
    [
        (NhiKind.Workload, "workload"),
        (NhiKind.ServiceAccount, "service_account"),
        (NhiKind.Agent, "agent"),
        (NhiKind.ApiKey, "api_key"),
        (NhiKind.Certificate, "certificate"),
        (NhiKind.CiPipeline, "ci_pipeline"),
        (NhiKind.StaticSecret, "static_secret"),
    ];

    public static IEnumerable<string> All => Names.Select(n => n.Name);

    public static string Name(NhiKind kind) => Names.First(n => n.Kind == kind).Name;

    public static bool TryParse(string? name, out NhiKind kind)
    {
        foreach (var (k, n) in Names)
        {
            if (string.Equals(n, name, StringComparison.Ordinal))
            {
                kind = k;
                return true;
            }
        }

        kind = default;
        return false;
    }
}
