namespace Mandate.Server.Console;

/// <summary>
/// The console's static files, its stylesheet and its one small script (live regions, see console.js), embedded in
/// the assembly: they travel inside the single-file binary and need no web root or static-asset manifest beside them.
/// </summary>
internal static class ConsoleAssets
{
    private static readonly Lazy<byte[]> Css = new(() => Read("console/console.css"));
    private static readonly Lazy<byte[]> Js = new(() => Read("console/console.js"));

    public static IResult Stylesheet() => Results.Bytes(Css.Value, "text/css; charset=utf-8");

    public static IResult Script() => Results.Bytes(Js.Value, "text/javascript; charset=utf-8");

    private static byte[] Read(string name)
    {
        using var stream = typeof(ConsoleAssets).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The console's {name} is missing from the assembly.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
