using Mandate.Core.Policies;

namespace Mandate.Server.Policies;

/// <summary>The demo estate's Cedar policies, entities and schema, embedded from <c>src/Mandate.Server/Demo/</c>.</summary>
internal static class DemoPolicies
{
    public static PolicyBundle Read()
    {
        var assembly = typeof(DemoPolicies).Assembly;
        var names = assembly.GetManifestResourceNames().Where(n => n.StartsWith("demo/", StringComparison.Ordinal)).ToList();
        string? Text(string name)
        {
            using var stream = assembly.GetManifestResourceStream(name);
            if (stream is null)
            {
                return null;
            }

            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }

        var policies = names
            .Where(n => n.EndsWith(".cedar", StringComparison.Ordinal))
            .OrderBy(n => n, StringComparer.Ordinal)
            .Select(n => new PolicyFile(n["demo/".Length..], Text(n)!))
            .ToList();
        return new PolicyBundle(policies, Text("demo/" + PolicyBundle.EntitiesFileName), Text("demo/" + PolicyBundle.SchemaFileName));
    }
}
