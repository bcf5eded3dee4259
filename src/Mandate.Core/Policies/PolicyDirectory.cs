namespace Mandate.Core.Policies;

/// <summary>Reads a <c>--data DIR</c>: every <c>*.cedar</c> file, <c>entities.json</c> and <c>schema.cedarschema</c> (both optional).</summary>
internal static class PolicyDirectory
{
    public static PolicyBundle Read(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        try
        {
            if (!Directory.Exists(directory))
            {
                throw new PolicySetRejectedException($"{directory}: the policy directory does not exist.");
            }

            var policies = Directory.EnumerateFiles(directory, "*.cedar", SearchOption.TopDirectoryOnly)
                .OrderBy(f => f, StringComparer.Ordinal)
                .Select(f => new PolicyFile(Path.GetFileName(f), File.ReadAllText(f)))
                .ToList();
            var entitiesPath = Path.Combine(directory, PolicyBundle.EntitiesFileName);
            var schemaPath = Path.Combine(directory, PolicyBundle.SchemaFileName);
            return new PolicyBundle(
                policies,
                File.Exists(entitiesPath) ? File.ReadAllText(entitiesPath) : null,
                File.Exists(schemaPath) ? File.ReadAllText(schemaPath) : null);
        }
        catch (IOException e)
        {
            throw new PolicySetRejectedException($"{directory}: {e.Message}", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new PolicySetRejectedException($"{directory}: {e.Message}", e);
        }
    }

    /// <summary>True for the files a policy directory is made of (the watcher ignores the rest, such as editor swap files).</summary>
    public static bool IsPolicyFile(string? path)
    {
        var name = Path.GetFileName(path);
        return name is not null
            && (name.EndsWith(".cedar", StringComparison.Ordinal)
                || name == PolicyBundle.EntitiesFileName
                || name == PolicyBundle.SchemaFileName);
    }
}
