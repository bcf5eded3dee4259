using System.CommandLine;
using System.Text.Json;
using Mandate.Cli.Grammar;

namespace Mandate.Cli.Commands;

/// <summary>
/// <c>mandate task open|list|show|renew|complete|revoke|credential|dynamic-credentials</c> (<c>/v1/tasks</c>,
/// <c>/v1/revocations</c>, <c>/v1/dynamic-credentials</c>). <c>open</c> authenticates as a workload (a JWT-SVID from
/// <c>--svid-file</c> or <c>$MANDATE_SVID</c>); <c>credential</c> as the task itself (its task credential from
/// <c>--credential-file</c> or <c>$MANDATE_TASK_CREDENTIAL</c>); the others use the SVID when given, else the admin token.
/// </summary>
internal static class TaskCommand
{
    public const string SvidVariable = "MANDATE_SVID";

    public const string TaskCredentialVariable = "MANDATE_TASK_CREDENTIAL";

    public static Command Create(GlobalOptions globals) => CliAction.Group(
        "task",
        "Open, list, show, renew, complete and revoke tasks (task-scoped credentials).",
        Open(globals),
        List(globals),
        Show(globals),
        Renew(globals),
        Complete(globals),
        Revoke(globals),
        Credential(globals),
        DynamicCredentials(globals));

    private static Option<FileInfo?> SvidOption() => new("--svid-file")
    {
        Description = $"A file holding the calling workload's JWT-SVID (default: ${SvidVariable}; else the admin token is used).",
        HelpName = "FILE",
    };

    private static Argument<string> IdArgument() => new("task-id") { Description = "The task id." };

    /// <summary>The workload credential: <c>--svid-file</c>, else <c>$MANDATE_SVID</c>; null when neither is given.</summary>
    private static async Task<string?> SvidAsync(CliContext context, Option<FileInfo?> option)
    {
        if (context.Value(option) is { } file)
        {
            return await AdminApi.ReadSecretFileAsync(file, "--svid-file", context.CancellationToken);
        }

        return Environment.GetEnvironmentVariable(SvidVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment.Trim() : null;
    }

    private static Command Open(GlobalOptions globals)
    {
        var svid = SvidOption();
        var description = new Option<string>("--description") { Description = "What the task does.", Required = true, HelpName = "TEXT" };
        var actions = new Option<string[]>("--action") { Description = "An action the task may perform (repeat).", Required = true, HelpName = "ACTION" };
        var resources = new Option<string[]>("--resource") { Description = "A resource type or pattern (repeat).", Required = true, HelpName = "RESOURCE" };
        var ceiling = new Option<string>("--sensitivity") { Description = "Sensitivity ceiling: public, low, medium, high or restricted.", DefaultValueFactory = _ => "low", HelpName = "LEVEL" };
        var destinations = new Option<string[]>("--destination") { Description = "An allowed destination (repeat).", HelpName = "DEST" };
        var delegates = new Option<string[]>("--delegate") { Description = "A SPIFFE ID allowed to act for the task by token exchange (repeat).", HelpName = "SPIFFE_ID" };
        var ttl = new Option<string?>("--ttl") { Description = "Lease: seconds or a duration (default: the server's).", HelpName = "SECONDS" };
        var command = new Command("open", "Open a task as a workload and print its credential (shown once).") { svid, description, actions, resources, ceiling, destinations, delegates, ttl };
        CliAction.Set(command, globals, async context =>
        {
            var bearer = await SvidAsync(context, svid)
                ?? throw CliException.Usage($"opening a task needs the workload's JWT-SVID: --svid-file FILE or ${SvidVariable}.");
            var body = new
            {
                intent = new
                {
                    description = context.Value(description),
                    actions = context.Value(actions) ?? [],
                    resources = context.Value(resources) ?? [],
                    sensitivity_ceiling = context.Value(ceiling),
                    destinations = context.Value(destinations) ?? [],
                    delegates = context.Value(delegates) ?? [],
                },
                ttl_seconds = CommandArguments.SecondsOrUsage(context.Value(ttl), "--ttl"),
            };
            using var api = await context.ConnectAsync(bearer);
            await PrintIssuedAsync(context, await api.PostAsync("v1/tasks", body, context.CancellationToken));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command List(GlobalOptions globals)
    {
        var svid = SvidOption();
        var status = new Option<string?>("--status") { Description = "open, completed, expired or revoked.", HelpName = "STATUS" };
        var subject = new Option<string?>("--subject") { Description = "Only this workload's tasks (admin).", HelpName = "SPIFFE_ID" };
        var limit = new Option<int>("--limit") { Description = "At most this many (1-1000).", HelpName = "N", DefaultValueFactory = _ => 100 };
        var command = new Command("list", "List tasks (a workload sees its own).") { svid, status, subject, limit };
        CliAction.Set(command, globals, async context =>
        {
            if (context.Value(limit) is < 1 or > 1000)
            {
                throw CliException.Usage("--limit: must be between 1 and 1000.");
            }

            using var api = await context.ConnectAsync(await SvidAsync(context, svid));
            var body = await api.GetAsync(
                "v1/tasks" + CommandArguments.Query(("status", context.Value(status)), ("subject", context.Value(subject)), ("limit", context.Value(limit).ToString(System.Globalization.CultureInfo.InvariantCulture))),
                context.CancellationToken);
            if (context.Json)
            {
                await context.Output.JsonAsync(body);
                return ExitCodes.Success;
            }

            var tasks = body.GetProperty("tasks").EnumerateArray().ToList();
            context.Output.Table(
                ["ID", "SUBJECT", "STATUS", "DESCRIPTION", "OPENED", "EXPIRES"],
                tasks.Select(t => new[] { CliOutput.Cell(t, "id"), CliOutput.Cell(t, "subject"), CliOutput.Cell(t, "status"), t.TryGetProperty("intent", out var i) ? CliOutput.Cell(i, "description") : "-", CliOutput.Cell(t, "opened_at"), CliOutput.Cell(t, "expires_at") }));
            await context.Output.LineAsync($"{tasks.Count} task{(tasks.Count == 1 ? string.Empty : "s")}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Show(GlobalOptions globals)
    {
        var svid = SvidOption();
        var id = IdArgument();
        var command = new Command("show", "Show a task with its credentials and their use.") { id, svid };
        CliAction.Set(command, globals, async context =>
        {
            using var api = await context.ConnectAsync(await SvidAsync(context, svid));
            var task = await api.GetAsync("v1/tasks/" + CommandArguments.Segment(context.Value(id)!), context.CancellationToken);
            if (context.Json)
            {
                await context.Output.JsonAsync(task);
                return ExitCodes.Success;
            }

            PrintTask(context, task);
            if (task.TryGetProperty("credentials", out var credentials) && credentials.ValueKind == JsonValueKind.Array)
            {
                await context.Output.LineAsync();
                context.Output.Table(
                    ["JTI", "KIND", "HOLDER", "SCOPE", "ISSUED", "EXPIRES", "REVOKED", "USES"],
                    credentials.EnumerateArray().Select(c => new[]
                    {
                        CliOutput.Cell(c, "jti"), CliOutput.Cell(c, "kind"), CliOutput.Cell(c, "holder"), CliOutput.Cell(c, "scope"),
                        CliOutput.Cell(c, "issued_at"), CliOutput.Cell(c, "expires_at"), CliOutput.Cell(c, "revoked_at"),
                        c.TryGetProperty("usage", out var usage) ? CliOutput.Cell(usage, "count") : "-",
                    }));
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Renew(GlobalOptions globals)
    {
        var svid = SvidOption();
        var id = IdArgument();
        var ttl = new Option<string?>("--ttl") { Description = "New lease: seconds or a duration (default: the server's).", HelpName = "SECONDS" };
        var command = new Command("renew", "Renew a task's lease: a new credential is issued (shown once).") { id, svid, ttl };
        CliAction.Set(command, globals, async context =>
        {
            var body = new Dictionary<string, object?> { ["ttl_seconds"] = CommandArguments.SecondsOrUsage(context.Value(ttl), "--ttl") };
            using var api = await context.ConnectAsync(await SvidAsync(context, svid));
            await PrintIssuedAsync(context, await api.PostAsync($"v1/tasks/{CommandArguments.Segment(context.Value(id)!)}/renew", body, context.CancellationToken));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Complete(GlobalOptions globals)
    {
        var svid = SvidOption();
        var id = IdArgument();
        var command = new Command("complete", "Complete a task: every credential of it (and derived from it) is revoked at once.") { id, svid };
        CliAction.Set(command, globals, async context =>
        {
            using var api = await context.ConnectAsync(await SvidAsync(context, svid));
            var answer = await api.PostAsync($"v1/tasks/{CommandArguments.Segment(context.Value(id)!)}/complete", null, context.CancellationToken);
            if (context.Json)
            {
                await context.Output.JsonAsync(answer);
                return ExitCodes.Success;
            }

            PrintTask(context, answer.GetProperty("task"));
            await context.Output.LineAsync($"{CliOutput.Cell(answer, "revoked_credentials")} credential(s) revoked");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Revoke(GlobalOptions globals)
    {
        var id = IdArgument();
        var reason = new Option<string?>("--reason") { Description = "Why (recorded in the audit log).", HelpName = "TEXT" };
        var command = new Command("revoke", "Revoke every credential of a task (admin; same as 'mandate revocations add --kind task ID').") { id, reason };
        CliAction.Set(command, globals, async context =>
        {
            using var api = await context.ConnectAsync();
            var answer = await api.PostAsync("v1/revocations", new { target_kind = "task", target = context.Value(id), reason = context.Value(reason) }, context.CancellationToken);
            await RevocationsCommand.PrintRevocationAsync(context, answer);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Credential(GlobalOptions globals)
    {
        var id = IdArgument();
        var engine = new Option<string>("--engine") { Description = "The configured dynamic credential engine to get a credential in (e.g. a database).", Required = true, HelpName = "NAME" };
        var credentialFile = new Option<FileInfo?>("--credential-file")
        {
            Description = $"A file holding the task's own credential, the token 'task open' printed (default: ${TaskCredentialVariable}).",
            HelpName = "FILE",
        };
        var command = new Command(
            "credential",
            "Get a credential in a downstream system for a task, authenticated by the task's credential; the password is shown once and the credential is removed when the task ends.")
        { id, engine, credentialFile };
        CliAction.Set(command, globals, async context =>
        {
            // The task's credential, never the admin token: the server checks that the caller holds this task's lease.
            // Read from a file or the environment, never from an argument (a command line is visible to every user).
            var taskCredential = context.Value(credentialFile) is { } file
                ? await AdminApi.ReadSecretFileAsync(file, "--credential-file", context.CancellationToken)
                : Environment.GetEnvironmentVariable(TaskCredentialVariable) is { Length: > 0 } fromEnvironment
                    ? fromEnvironment.Trim()
                    : throw CliException.Usage($"getting a dynamic credential needs the task's own credential: --credential-file FILE or ${TaskCredentialVariable}.");
            using var api = await context.ConnectAsync(taskCredential);
            var answer = await api.PostAsync(
                $"v1/tasks/{CommandArguments.Segment(context.Value(id)!)}/dynamic-credentials",
                new { engine = context.Value(engine) },
                context.CancellationToken);
            if (context.Json)
            {
                await context.Output.JsonAsync(answer);
                return ExitCodes.Success;
            }

            context.Output.Fields(answer);
            await context.Output.NoteAsync("The password is shown only this once; the credential is removed when the task ends.");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command DynamicCredentials(GlobalOptions globals)
    {
        var task = new Option<string?>("--task") { Description = "Only this task's.", HelpName = "TASK_ID" };
        var status = new Option<string?>("--status") { Description = "issuing, active, revoking (removal pending) or revoked.", HelpName = "STATUS" };
        var limit = new Option<int>("--limit") { Description = "At most this many (1-1000).", HelpName = "N", DefaultValueFactory = _ => 100 };
        var command = new Command("dynamic-credentials", "List the downstream credentials issued to tasks and their removal (admin; no secret is kept).") { task, status, limit };
        CliAction.Set(command, globals, async context =>
        {
            if (context.Value(limit) is < 1 or > 1000)
            {
                throw CliException.Usage("--limit: must be between 1 and 1000.");
            }

            using var api = await context.ConnectAsync();
            var body = await api.GetAsync(
                "v1/dynamic-credentials" + CommandArguments.Query(("task", context.Value(task)), ("status", context.Value(status)), ("limit", context.Value(limit).ToString(System.Globalization.CultureInfo.InvariantCulture))),
                context.CancellationToken);
            if (context.Json)
            {
                await context.Output.JsonAsync(body);
                return ExitCodes.Success;
            }

            var leases = body.GetProperty("dynamic_credentials").EnumerateArray().ToList();
            context.Output.Table(
                ["LEASE", "TASK", "ENGINE", "USERNAME", "STATUS", "EXPIRES", "ATTEMPTS", "LAST ERROR"],
                leases.Select(l => new[]
                {
                    CliOutput.Cell(l, "id"), CliOutput.Cell(l, "task_id"), CliOutput.Cell(l, "engine"), CliOutput.Cell(l, "username"),
                    CliOutput.Cell(l, "status"), CliOutput.Cell(l, "expires_at"), CliOutput.Cell(l, "attempts"), CliOutput.Cell(l, "last_error"),
                }));
            await context.Output.LineAsync($"{leases.Count} dynamic credential{(leases.Count == 1 ? string.Empty : "s")}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static void PrintTask(CliContext context, JsonElement task)
    {
        var fields = task.EnumerateObject().Where(p => p.Name is not ("intent" or "credentials")).Select(p => (p.Name, (string?)CliOutput.Cell(p.Value))).ToList();
        if (task.TryGetProperty("intent", out var intent))
        {
            fields.AddRange(intent.EnumerateObject().Select(p => ("intent." + p.Name, (string?)CliOutput.Cell(p.Value))));
        }

        context.Output.Fields(fields);
    }

    /// <summary><c>{task, credential}</c> from open and renew: the task, then the credential (its token is shown once, here).</summary>
    private static async Task PrintIssuedAsync(CliContext context, JsonElement answer)
    {
        if (context.Json)
        {
            await context.Output.JsonAsync(answer);
            return;
        }

        PrintTask(context, answer.GetProperty("task"));
        await context.Output.LineAsync();
        context.Output.Fields(answer.GetProperty("credential").EnumerateObject().Select(p => ("credential." + p.Name, (string?)CliOutput.Cell(p.Value))));
    }
}
