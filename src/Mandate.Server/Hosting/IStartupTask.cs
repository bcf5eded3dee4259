namespace Mandate.Server.Hosting;

/// <summary>
/// Work that must finish before the server takes traffic (after the store is migrated): loading policies, creating
/// keys, seeding the demo estate. A feature's registration adds one with
/// <c>services.TryAddEnumerable(ServiceDescriptor.Singleton&lt;IStartupTask, T&gt;())</c>; run in ascending
/// <see cref="Order"/>.
/// </summary>
internal interface IStartupTask
{
    /// <summary>0–99 foundation, 100s identity and keys, 200s tasks, 300s audit, 400s policies and decisions, 900s demo data.</summary>
    int Order { get; }

    Task RunAsync(CancellationToken cancellationToken);
}
