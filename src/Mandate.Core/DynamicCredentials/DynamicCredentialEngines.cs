using Microsoft.Extensions.Options;

namespace Mandate.Core.DynamicCredentials;

/// <summary>The configured engines by name, built once from the validated options by their kind's factory.</summary>
internal sealed class DynamicCredentialEngines : IAsyncDisposable
{
    private readonly Dictionary<string, IDynamicCredentialEngine> engines;

    public DynamicCredentialEngines(IOptions<DynamicCredentialOptions> options, IEnumerable<IDynamicCredentialEngineFactory> factories)
    {
        ArgumentNullException.ThrowIfNull(options);
        var byKind = factories.ToDictionary(f => f.Kind, StringComparer.OrdinalIgnoreCase);
        engines = new Dictionary<string, IDynamicCredentialEngine>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, settings) in options.Value.Engines)
        {
            if (settings.Kind is { } kind && byKind.TryGetValue(kind, out var factory))
            {
                engines[name] = factory.Create(name, settings);
            }
        }
    }

    public IReadOnlyCollection<string> Names => engines.Keys;

    public IDynamicCredentialEngine? Find(string name) => engines.GetValueOrDefault(name);

    public async ValueTask DisposeAsync()
    {
        foreach (var engine in engines.Values.OfType<IAsyncDisposable>())
        {
            await engine.DisposeAsync().ConfigureAwait(false);
        }
    }
}
