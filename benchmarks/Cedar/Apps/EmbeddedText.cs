using System.Reflection;

namespace Mandate.Benchmarks.Cedar.Apps;

/// <summary>Reads the policy and schema files compiled into this assembly (Apps/*.cedar, Apps/*.cedarschema).</summary>
internal static class EmbeddedText
{
    public static string Read(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"Embedded benchmark file '{name}' is missing from {nameof(EmbeddedText)}'s assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
