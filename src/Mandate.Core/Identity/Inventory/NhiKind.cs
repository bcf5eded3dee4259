namespace Mandate.Core.Identity.Inventory;

/// <summary>The kinds of non-human identity the inventory tracks; wire names in <see cref="NhiKinds"/>.</summary>
internal enum NhiKind
{
    Workload,
    ServiceAccount,
    Agent,
    ApiKey,
    Certificate,
    CiPipeline,
    StaticSecret,
}
