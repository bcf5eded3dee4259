using System.CommandLine;
using System.Text.Json;
using Mandate.Cli.Grammar;

namespace Mandate.Cli.Commands;

/// <summary>
/// <c>mandate policy …</c>: the server's policy versions (<c>show versions diff activate rollback push</c>, admin API
/// <c>/v1/policies</c>) and Cedar files on disk (<c>validate format eval test bench</c>, which read only the files
/// named on the command line).
/// </summary>
internal static class PolicyCommand
{
    public static Command Create(GlobalOptions globals) => CliAction.Group(
        "policy",
        "Policy versions on the server, and Cedar policy files: validate, format, evaluate, test, benchmark.",
        Show(globals),
        Versions(globals),
        Diff(globals),
        Activate(globals),
        Rollback(globals),
        PolicyPushCommand.Create(globals),
        PolicyValidateCommand.Create(globals),
        PolicyFormatCommand.Create(globals),
        PolicyEvalCommand.Create(globals),
        PolicyTestCommand.Create(globals),
        PolicyBenchCommand.Create(globals));

    private static Command Show(GlobalOptions globals)
    {
        var version = new Argument<string?>("version") { Description = "A stored version (default: the active one).", Arity = ArgumentArity.ZeroOrOne };
        var file = new Option<string?>("--file") { Description = "Print only this file of the bundle (a .cedar name, entities.json or schema.cedarschema).", HelpName = "NAME" };
        var command = new Command("show", "Show the active policy set or a stored version: its files, entities and schema.") { version, file };
        CliAction.Set(command, globals, async context =>
        {
            using var api = await context.ConnectAsync();
            var answer = context.Value(version) is { } v
                ? await api.GetAsync("v1/policies/versions/" + CommandArguments.Segment(v), context.CancellationToken)
                : await api.GetAsync("v1/policies", context.CancellationToken);
            var bundle = answer.GetProperty("bundle");
            if (context.Value(file) is { } name)
            {
                await context.Output.Out.WriteAsync(BundleFile(bundle, name) ?? throw CliException.Failed($"--file: the bundle has no file '{name}' (it has {string.Join(", ", BundleFiles(bundle).Keys)})."));
                return ExitCodes.Success;
            }

            if (context.Json)
            {
                await context.Output.JsonAsync(answer);
                return ExitCodes.Success;
            }

            context.Output.Fields(answer, "bundle");
            await context.Output.LineAsync();
            context.Output.Table(["FILE", "LINES"], BundleFiles(bundle).Select(f => new[] { f.Key, f.Value.Split('\n').Length.ToString(System.Globalization.CultureInfo.InvariantCulture) }));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Versions(GlobalOptions globals)
    {
        var limit = new Option<int>("--limit") { Description = "At most this many, newest first (1-1000).", HelpName = "N", DefaultValueFactory = _ => 100 };
        var command = new Command("versions", "List the stored policy versions, newest first; the active one is marked.") { limit };
        CliAction.Set(command, globals, async context =>
        {
            if (context.Value(limit) is < 1 or > 1000)
            {
                throw CliException.Usage("--limit: must be between 1 and 1000.");
            }

            using var api = await context.ConnectAsync();
            var answer = await api.GetAsync("v1/policies/versions?limit=" + context.Value(limit).ToString(System.Globalization.CultureInfo.InvariantCulture), context.CancellationToken);
            if (context.Json)
            {
                await context.Output.JsonAsync(answer);
                return ExitCodes.Success;
            }

            context.Output.Table(
                ["ACTIVE", "VERSION", "ORIGIN", "ACTOR", "CREATED", "ACTIVATED"],
                answer.GetProperty("versions").EnumerateArray().Select(v => new[]
                {
                    v.GetProperty("active").GetBoolean() ? "*" : " ", CliOutput.Cell(v, "version"), CliOutput.Cell(v, "origin"),
                    CliOutput.Cell(v, "actor"), CliOutput.Cell(v, "created_at"), CliOutput.Cell(v, "activated_at"),
                }));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Diff(GlobalOptions globals)
    {
        var from = new Argument<string?>("from") { Description = "The older version (default: the version active before the current one).", Arity = ArgumentArity.ZeroOrOne };
        var to = new Argument<string?>("to") { Description = "The newer version (default: the active one).", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("diff", "Show what changed between two policy versions, file by file (unified diff). Exit 0 either way.") { from, to };
        CliAction.Set(command, globals, async context =>
        {
            using var api = await context.ConnectAsync();
            var versions = (await api.GetAsync("v1/policies/versions?limit=1000", context.CancellationToken)).GetProperty("versions").EnumerateArray().ToList();
            var toVersion = context.Value(to) ?? versions.FirstOrDefault(v => v.GetProperty("active").GetBoolean()).GetProperty("version").GetString()!;
            var fromVersion = context.Value(from) ?? PreviousVersion(versions)
                ?? throw CliException.Failed("there is no earlier policy version to compare the active one with.");
            var before = BundleFiles((await api.GetAsync("v1/policies/versions/" + CommandArguments.Segment(fromVersion), context.CancellationToken)).GetProperty("bundle"));
            var after = BundleFiles((await api.GetAsync("v1/policies/versions/" + CommandArguments.Segment(toVersion), context.CancellationToken)).GetProperty("bundle"));
            var files = before.Keys.Union(after.Keys).Order(StringComparer.Ordinal).Select(name =>
            {
                var old = before.GetValueOrDefault(name);
                var @new = after.GetValueOrDefault(name);
                var status = old is null ? "added" : @new is null ? "removed" : string.Equals(old, @new, StringComparison.Ordinal) ? "unchanged" : "changed";
                return new DiffFile(name, status, status == "unchanged" ? null : LineDiff.Unified(old ?? string.Empty, @new ?? string.Empty));
            }).ToList();
            if (context.Json)
            {
                await context.Output.JsonAsync(new { from = fromVersion, to = toVersion, files });
                return ExitCodes.Success;
            }

            await context.Output.LineAsync($"policy versions {fromVersion} -> {toVersion}: {files.Count(f => f.Status != "unchanged")} of {files.Count} file(s) differ");
            foreach (var file in files.Where(f => f.Status != "unchanged"))
            {
                await context.Output.LineAsync($"--- {fromVersion}/{file.Name}{(file.Status == "added" ? " (absent)" : string.Empty)}");
                await context.Output.LineAsync($"+++ {toVersion}/{file.Name}{(file.Status == "removed" ? " (absent)" : string.Empty)}");
                await context.Output.Out.WriteAsync(file.Diff ?? "(too large to compare line by line)\n");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Activate(GlobalOptions globals)
    {
        var version = new Argument<string>("version") { Description = "A stored version (from 'mandate policy versions')." };
        var command = new Command("activate", "Activate a stored policy version (validated again first; all or nothing).") { version };
        CliAction.Set(command, globals, async context =>
        {
            using var api = await context.ConnectAsync();
            await PrintActivationAsync(context, await api.PostAsync($"v1/policies/versions/{CommandArguments.Segment(context.Value(version)!)}/activate", null, context.CancellationToken));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Rollback(GlobalOptions globals)
    {
        var command = new Command("rollback", "Re-activate the policy version that was active before the current one.");
        CliAction.Set(command, globals, async context =>
        {
            using var api = await context.ConnectAsync();
            var versions = (await api.GetAsync("v1/policies/versions?limit=1000", context.CancellationToken)).GetProperty("versions").EnumerateArray().ToList();
            var previous = PreviousVersion(versions) ?? throw CliException.Failed("there is no earlier policy version to roll back to.");
            await PrintActivationAsync(context, await api.PostAsync($"v1/policies/versions/{CommandArguments.Segment(previous)}/activate", null, context.CancellationToken));
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The answer of an activation (<c>PUT /v1/policies</c>, <c>POST …/activate</c>).</summary>
    public static async Task PrintActivationAsync(CliContext context, JsonElement answer)
    {
        if (context.Json)
        {
            await context.Output.JsonAsync(answer);
            return;
        }

        context.Output.Fields(answer);
    }

    /// <summary>The most recently activated version other than the active one.</summary>
    private static string? PreviousVersion(List<JsonElement> versions) =>
        versions.Where(v => !v.GetProperty("active").GetBoolean())
            .OrderByDescending(v => v.GetProperty("activated_at").GetDateTimeOffset())
            .ThenByDescending(v => v.GetProperty("sequence").GetInt64())
            .Select(v => v.GetProperty("version").GetString())
            .FirstOrDefault();

    /// <summary>A bundle's files by name: the policies, then <c>entities.json</c> and <c>schema.cedarschema</c> when present.</summary>
    private static SortedDictionary<string, string> BundleFiles(JsonElement bundle)
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (bundle.TryGetProperty("policies", out var policies) && policies.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in policies.EnumerateObject())
            {
                files[p.Name] = p.Value.GetString() ?? string.Empty;
            }
        }

        if (bundle.TryGetProperty("entities", out var entities) && entities.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined))
        {
            files["entities.json"] = entities.ValueKind == JsonValueKind.String
                ? entities.GetString()!
                : JsonSerializer.Serialize(entities, new JsonSerializerOptions { WriteIndented = true }) + "\n";
        }

        if (bundle.TryGetProperty("schema", out var schema) && schema.ValueKind == JsonValueKind.String)
        {
            files["schema.cedarschema"] = schema.GetString()!;
        }

        return files;
    }

    private static string? BundleFile(JsonElement bundle, string name) => BundleFiles(bundle).GetValueOrDefault(name);

    private sealed record DiffFile(string Name, string Status, string? Diff);
}
