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

    /// <summary>The step's name on <c>/readyz</c> while it runs: the type's name in kebab-case, without "Startup".</summary>
    string Step => StepName(GetType().Name);

    Task RunAsync(CancellationToken cancellationToken);

    internal static string StepName(string typeName)
    {
        var name = typeName.EndsWith("Startup", StringComparison.Ordinal) ? typeName[..^"Startup".Length] : typeName;
        var text = new System.Text.StringBuilder(name.Length + 4);
        foreach (var c in name)
        {
            if (char.IsUpper(c) && text.Length > 0)
            {
                text.Append('-');
            }

            text.Append(char.ToLowerInvariant(c));
        }

        return text.ToString();
    }
}
