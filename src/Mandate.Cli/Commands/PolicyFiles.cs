using Mandate.Cedar;

namespace Mandate.Cli.Commands;

/// <summary>Loading policy, schema and entity files for the policy commands, with errors that name file:line:column.</summary>
internal static class PolicyFiles
{
    /// <summary>
    /// Parses every file; null when any fails. Ids are given as the server gives them: the file's name without
    /// <c>.cedar</c>, a dot, then <c>policyN</c> (<c>demo.policy3</c>); <see cref="DisplayId"/> prefers the <c>@id</c>.
    /// </summary>
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

            var prefix = Path.GetFileNameWithoutExtension(files[i].Name) is { Length: > 0 } stem ? stem + "." : string.Empty;
            if (files.Take(i).Any(f => string.Equals(Path.GetFileNameWithoutExtension(f.Name), Path.GetFileNameWithoutExtension(files[i].Name), StringComparison.Ordinal)))
            {
                await error.WriteLineAsync($"mandate: error: {Display(files[i])}: another file has the same name; policy ids are named after the file, as the server names them.");
                ok = false;
                continue;
            }

            if (PolicySet.TryParse(text, files[i].FullName, prefix, out var set, out var diagnostics))
            {
                sets.Add(set);
            }
            else
            {
                ok = false;
                foreach (var diagnostic in diagnostics)
                {
                    await error.WriteLineAsync($"mandate: error: {Display(files[i])}:{diagnostic.Line}:{diagnostic.Column}: {diagnostic.Message}");
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
                await error.WriteLineAsync($"mandate: error: {Display(file)}:{diagnostic.Line}:{diagnostic.Column}: {diagnostic.Message}");
            }

            return null;
        }
        catch (CedarException ex)
        {
            await error.WriteLineAsync($"mandate: error: {Display(file)}:1:1: {ex.Message}");
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
            await error.WriteLineAsync($"mandate: error: {Display(file)}:1:1: {ex.Message}");
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
            await error.WriteLineAsync($"mandate: error: {Display(file)}: cannot read the file: {ex.Message}");
            return null;
        }
    }

    /// <summary>The name the server shows for a policy: its <c>@id</c> annotation when it has one, else its id.</summary>
    public static string DisplayId(PolicySet policies, string id) =>
        policies.TryGetPolicy(id, out var policy) && policy.Annotations.TryGetValue("id", out var annotated) && !string.IsNullOrEmpty(annotated) ? annotated : id;

    /// <summary>The path as the user is likely to recognise it: relative to the current directory when inside it.</summary>
    public static string Display(FileInfo file)
    {
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, file.FullName);
        return relative.StartsWith("..", StringComparison.Ordinal) ? file.FullName : relative;
    }
}
