namespace Mandate.Server.Console;

/// <summary>
/// The console's only static file, its stylesheet, embedded in the assembly: it travels inside the single-file binary
/// and needs no web root or static-asset manifest beside it.
/// </summary>
internal static class ConsoleAssets
{
    private static readonly Lazy<byte[]> Css = new(() =>
    {
        using var stream = typeof(ConsoleAssets).Assembly.GetManifestResourceStream("console/console.css")
            ?? throw new InvalidOperationException("The console stylesheet is missing from the assembly.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    public static IResult Stylesheet() => Results.Bytes(Css.Value, "text/css; charset=utf-8");
}
