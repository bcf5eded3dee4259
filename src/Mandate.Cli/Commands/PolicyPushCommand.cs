using System.CommandLine;
using Mandate.Cli.Grammar;
using Mandate.Core.Policies;

namespace Mandate.Cli.Commands;

/// <summary>
/// <c>mandate policy push FILE... [--schema FILE] [--entities FILE] | --data DIR [--dry-run]</c>: send a bundle to the
/// server, which validates it as a whole (against its schema) and activates it (<c>PUT /v1/policies</c>), or with
/// <c>--dry-run</c> only validates it (<c>POST /v1/policies/validate</c>). The server's errors name the file, line and
/// column as typed here.
/// </summary>
internal static class PolicyPushCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var files = new Argument<FileInfo[]>("files") { Description = "Cedar policy files (or --data DIR).", Arity = ArgumentArity.ZeroOrMore };
        files.AcceptExistingOnly();
        var data = new Option<DirectoryInfo?>("--data") { Description = "A policy directory as 'mandate serve --data' reads it: *.cedar, entities.json, schema.cedarschema.", HelpName = "DIR" };
        var schema = new Option<FileInfo?>("--schema") { Description = "The bundle's schema (.cedarschema).", HelpName = "FILE" };
        var entities = new Option<FileInfo?>("--entities") { Description = "The bundle's entities (Cedar entity JSON).", HelpName = "FILE" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Only validate on the server; activate nothing." };
        var command = new Command("push", "Validate a policy bundle on the server and activate it (all or nothing); --dry-run only validates.") { files, data, schema, entities, dryRun };
        CliAction.Set(command, globals, async context =>
        {
            var (bundle, names) = await ReadBundleAsync(context, context.Value(files) ?? [], context.Value(data), context.Value(schema), context.Value(entities));
            using var api = await context.ConnectAsync();
            try
            {
                var body = new
                {
                    policies = bundle.Policies.ToDictionary(p => p.Name, p => p.Text, StringComparer.Ordinal),
                    entities = bundle.EntitiesJson,
                    schema = bundle.Schema,
                };
                var answer = context.Value(dryRun)
                    ? await api.PostAsync("v1/policies/validate", body, context.CancellationToken)
                    : await api.PutAsync("v1/policies", body, context.CancellationToken);
                await PolicyCommand.PrintActivationAsync(context, answer);
                return ExitCodes.Success;
            }
            catch (CliException ex) when (ex.Details.Count > 0)
            {
                // The server names files as they are in the bundle; say them as the user typed them.
                throw new CliException(ex.ExitCode, ex.Message) { Details = ex.Details.Select(d => Retarget(d, names)).ToList() };
            }
        });
        return command;
    }

    /// <summary>The bundle from files or a directory, and the bundle name → path typed map; usage errors for a bad mix.</summary>
    public static async Task<(PolicyBundle Bundle, Dictionary<string, string> Names)> ReadBundleAsync(
        CliContext context, IReadOnlyList<FileInfo> files, DirectoryInfo? data, FileInfo? schema, FileInfo? entities)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(files);
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        if (data is not null)
        {
            if (files.Count > 0 || schema is not null || entities is not null)
            {
                throw CliException.Usage("--data: give a directory or files (with --schema and --entities), not both.");
            }

            if (!data.Exists)
            {
                throw CliException.Usage($"--data: the directory '{data.FullName}' does not exist.");
            }

            try
            {
                var bundle = PolicyDirectory.Read(data.FullName);
                foreach (var name in bundle.Policies.Select(p => p.Name).Append(PolicyBundle.EntitiesFileName).Append(PolicyBundle.SchemaFileName))
                {
                    names[name] = PolicyFiles.Display(new FileInfo(Path.Combine(data.FullName, name)));
                }

                return (bundle, names);
            }
            catch (PolicySetRejectedException ex)
            {
                throw CliException.Failed(string.Join("; ", ex.Errors));
            }
        }

        if (files.Count == 0)
        {
            throw CliException.Usage("give the policy files, or --data DIR.");
        }

        var policies = new List<PolicyFile>();
        foreach (var file in files)
        {
            if (!file.Name.EndsWith(".cedar", StringComparison.Ordinal))
            {
                throw CliException.Usage($"{PolicyFiles.Display(file)}: a policy file's name must end in .cedar (it is the file's name in the bundle).");
            }

            if (!names.TryAdd(file.Name, PolicyFiles.Display(file)))
            {
                throw CliException.Usage($"{PolicyFiles.Display(file)}: another file is also named '{file.Name}'; file names are unique in a bundle.");
            }

            policies.Add(new PolicyFile(file.Name, await ReadOrFailAsync(file, context.CancellationToken)));
        }

        if (schema is not null)
        {
            names[PolicyBundle.SchemaFileName] = PolicyFiles.Display(schema);
        }

        if (entities is not null)
        {
            names[PolicyBundle.EntitiesFileName] = PolicyFiles.Display(entities);
        }

        return (new PolicyBundle(
            policies,
            entities is null ? null : await ReadOrFailAsync(entities, context.CancellationToken),
            schema is null ? null : await ReadOrFailAsync(schema, context.CancellationToken)), names);
    }

    private static async Task<string> ReadOrFailAsync(FileInfo file, CancellationToken cancellationToken)
    {
        try
        {
            return await File.ReadAllTextAsync(file.FullName, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw CliException.Failed($"{PolicyFiles.Display(file)}: cannot read the file: {ex.Message}");
        }
    }

    private static string Retarget(string detail, Dictionary<string, string> names)
    {
        var colon = detail.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && names.TryGetValue(detail[..colon], out var path) ? path + detail[colon..] : detail;
    }
}
