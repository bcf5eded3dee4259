using Mandate.Cedar;

namespace Mandate.Cli.Commands;

/// <summary>Loading policy, schema and entity files for the policy commands, with errors that name file:line:column.</summary>
internal static class PolicyFiles
{
    /// <summary>Parses every file (ids prefixed by the file's position when there are several); null when any fails.</summary>
    public static async Task<PolicySet?> LoadPoliciesAsync(IReadOnlyList<FileInfo> files, TextWriter error, CancellationToken cancellationToken)
    {
        var sets = new List<PolicySet>();
        var ok = true;
        for (var i = 0; i < files.Count; i++)
        {
            var text = await ReadAsync(files[i], error, cancellationToken);
            if (text is null)
            {
                ok = false;
                continue;
            }

            var prefix = files.Count == 1 ? "" : $"f{i}.";
            if (PolicySet.TryParse(text, files[i].FullName, prefix, out var set, out var diagnostics))
            {
                sets.Add(set);
            }
            else
            {
                ok = false;
                foreach (var diagnostic in diagnostics)
                {
                    await error.WriteLineAsync($"{Display(files[i])}:{diagnostic.Line}:{diagnostic.Column}: error: {diagnostic.Message}");
                }
            }
        }

        return ok ? PolicySet.Merge(sets) : null;
    }

    public static async Task<Schema?> LoadSchemaAsync(FileInfo file, TextWriter error, CancellationToken cancellationToken)
    {
        var text = await ReadAsync(file, error, cancellationToken);
        if (text is null)
        {
            return null;
        }

        try
        {
            return file.Extension.Equals(".json", StringComparison.OrdinalIgnoreCase)
                ? Schema.ParseJson(text, file.FullName)
                : Schema.Parse(text, file.FullName);
        }
        catch (CedarParseException ex) when (ex.Diagnostics.Count > 0)
        {
            foreach (var diagnostic in ex.Diagnostics)
            {
                await error.WriteLineAsync($"{Display(file)}:{diagnostic.Line}:{diagnostic.Column}: error: {diagnostic.Message}");
            }

            return null;
        }
        catch (CedarException ex)
        {
            await error.WriteLineAsync($"{Display(file)}:1:1: error: {ex.Message}");
            return null;
        }
    }

    public static async Task<Entities?> LoadEntitiesAsync(FileInfo file, Schema? schema, TextWriter error, CancellationToken cancellationToken)
    {
        var text = await ReadAsync(file, error, cancellationToken);
        if (text is null)
        {
            return null;
        }

        try
        {
            return Entities.ParseJson(text, schema);
        }
        catch (CedarException ex)
        {
            await error.WriteLineAsync($"{Display(file)}:1:1: error: {ex.Message}");
            return null;
        }
    }

    public static async Task<string?> ReadAsync(FileInfo file, TextWriter error, CancellationToken cancellationToken)
    {
        try
        {
            return await File.ReadAllTextAsync(file.FullName, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"{Display(file)}: error: cannot read the file: {ex.Message}");
            return null;
        }
    }

    /// <summary>The path as the user is likely to recognise it: relative to the current directory when inside it.</summary>
    public static string Display(FileInfo file)
    {
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, file.FullName);
        return relative.StartsWith("..", StringComparison.Ordinal) ? file.FullName : relative;
    }
}
