using System.Diagnostics.Metrics;

namespace Mandate.Core.Telemetry;

/// <summary>
/// Counts store errors (<c>mandate.store.errors</c>) where they are raised: every <see cref="Storage.StoreException"/>
/// is one. Stores are built with and without a container (the CLI's offline commands, benchmarks), so this counter
/// lives on a process-wide meter of the same name as <see cref="MandateMetrics"/>'s, which the exporter also reads.
/// </summary>
internal static class StoreErrorMetrics
{
    private static readonly Meter Meter = new(MandateMetrics.MeterName);

    private static readonly Counter<long> Errors =
        Meter.CreateCounter<long>("mandate.store.errors", "{error}", "Store errors (a request answered 503, a background loop retrying, a refused start), by fault");

    public static void Record(Storage.StoreFault fault) => Errors.Add(1, new KeyValuePair<string, object?>("fault", Name(fault)));

    /// <summary>The tag value: the fault's name in lower case, as docs/operations.md lists them (<c>readonly</c>, <c>io</c>…).</summary>
    public static string Name(Storage.StoreFault fault) => fault.ToString().ToLowerInvariant();
}
