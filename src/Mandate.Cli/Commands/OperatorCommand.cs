using System.CommandLine;
using System.Text.Json;
using Mandate.Cli.Grammar;

namespace Mandate.Cli.Commands;

/// <summary>
/// <c>mandate operator add|list|show|disable|enable|roles|sign-in|token create|list|revoke|rotate</c>: the people who run Mandate,
/// with roles and personal tokens (<c>/v1/operators</c>). A new token is shown once: written to <c>--output FILE</c>
/// (0600) or printed.
/// </summary>
internal static class OperatorCommand
{
    private static readonly string[] Roles = ["admin", "security", "approver", "reviewer", "auditor"];

    public static Command Create(GlobalOptions globals) => CliAction.Group(
        "operator",
        "Manage operators: the people who run Mandate, their roles and their tokens.",
        Add(globals),
        List(globals),
        Show(globals),
        SetEnabled(globals, "disable", "Disable an operator: their tokens stop working at once."),
        SetEnabled(globals, "enable", "Enable a disabled operator again."),
        SetRoles(globals),
        SignIn(globals),
        CliAction.Group(
            "token",
            "Create, list, rotate and revoke an operator's personal API tokens.",
            TokenCreate(globals),
            TokenList(globals),
            TokenRevoke(globals),
            TokenRotate(globals)));

    private static Argument<string> NameArgument() => new("name") { Description = "The operator's name (lower-case letters, digits, '.', '_', '-')." };

    private static Command Add(GlobalOptions globals)
    {
        var name = NameArgument();
        var roles = new Option<string[]>("--role") { Description = "A role: admin, security, approver, reviewer or auditor (repeatable).", Required = true, HelpName = "ROLE", AllowMultipleArgumentsPerToken = false };
        roles.AcceptOnlyFromAmong(Roles);
        var display = new Option<string?>("--display-name") { Description = "A human-readable name.", HelpName = "TEXT" };
        var oidc = new Option<string?>("--oidc-subject") { Description = "The value of the configured OIDC claim (Mandate:Operators:Oidc:Claim) that signs this operator in.", HelpName = "VALUE" };
        var command = new Command("add", "Add an operator with one or more roles.") { name, roles, display, oidc };
        CliAction.Set(command, globals, async context =>
        {
            using var api = await context.ConnectAsync();
            var body = new Dictionary<string, object?>
            {
                ["name"] = context.Value(name),
                ["roles"] = context.Value(roles),
                ["display_name"] = context.Value(display),
                ["oidc_subject"] = context.Value(oidc),
            };
            await PrintAsync(context, await api.PostAsync("v1/operators", body, context.CancellationToken));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command List(GlobalOptions globals)
    {
        var command = new Command("list", "List operators, their roles and whether they are enabled.");
        CliAction.Set(command, globals, async context =>
        {
            using var api = await context.ConnectAsync();
            var body = await api.GetAsync("v1/operators", context.CancellationToken);
            if (context.Json)
            {
                await context.Output.JsonAsync(body);
                return ExitCodes.Success;
            }

            var items = body.GetProperty("operators").EnumerateArray().ToList();
            context.Output.Table(
                ["NAME", "ROLES", "ENABLED", "OIDC SUBJECT", "CREATED", "BY"],
                items.Select(o => new[] { CliOutput.Cell(o, "name"), CliOutput.Cell(o, "roles"), CliOutput.Cell(o, "enabled"), CliOutput.Cell(o, "oidc_subject"), CliOutput.Cell(o, "created_at"), CliOutput.Cell(o, "created_by") }));
            await context.Output.LineAsync($"{items.Count} operator{(items.Count == 1 ? string.Empty : "s")}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Show(GlobalOptions globals)
    {
        var name = NameArgument();
        var command = new Command("show", "Show one operator (any operator may show themself).") { name };
        CliAction.Set(command, globals, async context =>
        {
            using var api = await context.ConnectAsync();
            await PrintAsync(context, await api.GetAsync("v1/operators/" + CommandArguments.Segment(context.Value(name)!), context.CancellationToken));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command SetEnabled(GlobalOptions globals, string verb, string description)
    {
        var name = NameArgument();
        var reason = new Option<string?>("--reason") { Description = "Why (recorded in the audit log).", HelpName = "TEXT" };
        var command = new Command(verb, description) { name, reason };
        CliAction.Set(command, globals, async context =>
        {
            using var api = await context.ConnectAsync();
            var answer = await api.PostAsync($"v1/operators/{CommandArguments.Segment(context.Value(name)!)}/{verb}", new { reason = context.Value(reason) }, context.CancellationToken);
            await PrintAsync(context, answer);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command SetRoles(GlobalOptions globals)
    {
        var name = NameArgument();
        var roles = new Option<string[]>("--role") { Description = "A role the operator holds from now on (repeatable; replaces the old roles).", Required = true, HelpName = "ROLE", AllowMultipleArgumentsPerToken = false };
        roles.AcceptOnlyFromAmong(Roles);
        var reason = new Option<string?>("--reason") { Description = "Why (recorded in the audit log).", HelpName = "TEXT" };
        var command = new Command("roles", "Set an operator's roles; takes effect at once.") { name, roles, reason };
        CliAction.Set(command, globals, async context =>
        {
            using var api = await context.ConnectAsync();
            var answer = await api.PostAsync(
                $"v1/operators/{CommandArguments.Segment(context.Value(name)!)}/roles",
                new { roles = context.Value(roles), reason = context.Value(reason) },
                context.CancellationToken);
            await PrintAsync(context, answer);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command SignIn(GlobalOptions globals)
    {
        var idToken = new Option<FileInfo>("--id-token-file") { Description = "A file holding an ID token from the configured OIDC provider.", Required = true, HelpName = "FILE" };
        var output = new Option<FileInfo?>("--output") { Description = "Write the session token to this new file (mode 0600) instead of printing it.", HelpName = "FILE" };
        var command = new Command("sign-in", "Exchange an OIDC ID token for a short-lived operator session token (no admin token needed).") { idToken, output };
        CliAction.Set(command, globals, async context =>
        {
            var presented = await AdminApi.ReadSecretFileAsync(context.Value(idToken)!, "--id-token-file", context.CancellationToken);
            using var api = AdminApi.ConnectAnonymous(context);
            var answer = await api.PostAsync("v1/operators/sign-in", new { id_token = presented }, context.CancellationToken);
            await PrintIssuedAsync(context, answer, context.Value(output));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command TokenCreate(GlobalOptions globals)
    {
        var name = NameArgument();
        var label = new Option<string?>("--label") { Description = "What the token is for (e.g. laptop, ci).", HelpName = "TEXT" };
        var ttl = new Option<string?>("--ttl") { Description = "Lifetime: seconds or a duration (90d, 12h); default Mandate:Operators:TokenLifetime.", HelpName = "DURATION" };
        var output = new Option<FileInfo?>("--output") { Description = "Write the token to this new file (mode 0600) instead of printing it.", HelpName = "FILE" };
        var command = new Command("create", "Create a personal API token for an operator; it is shown once.") { name, label, ttl, output };
        CliAction.Set(command, globals, async context =>
        {
            var body = new Dictionary<string, object?> { ["label"] = context.Value(label), ["ttl_seconds"] = CommandArguments.SecondsOrUsage(context.Value(ttl), "--ttl") };
            using var api = await context.ConnectAsync();
            var answer = await api.PostAsync($"v1/operators/{CommandArguments.Segment(context.Value(name)!)}/tokens", body, context.CancellationToken);
            await PrintIssuedAsync(context, answer, context.Value(output));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command TokenList(GlobalOptions globals)
    {
        var name = NameArgument();
        var command = new Command("list", "List an operator's tokens (ids, labels, expiry, revocation; never the tokens).") { name };
        CliAction.Set(command, globals, async context =>
        {
            using var api = await context.ConnectAsync();
            var body = await api.GetAsync($"v1/operators/{CommandArguments.Segment(context.Value(name)!)}/tokens", context.CancellationToken);
            if (context.Json)
            {
                await context.Output.JsonAsync(body);
                return ExitCodes.Success;
            }

            var items = body.GetProperty("tokens").EnumerateArray().ToList();
            context.Output.Table(
                ["ID", "KIND", "LABEL", "STATUS", "CREATED", "EXPIRES", "REVOKED BY"],
                items.Select(t => new[] { CliOutput.Cell(t, "id"), CliOutput.Cell(t, "kind"), CliOutput.Cell(t, "label"), CliOutput.Cell(t, "status"), CliOutput.Cell(t, "created_at"), CliOutput.Cell(t, "expires_at"), CliOutput.Cell(t, "revoked_by") }));
            await context.Output.LineAsync($"{items.Count} token{(items.Count == 1 ? string.Empty : "s")}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command TokenRevoke(GlobalOptions globals)
    {
        var name = NameArgument();
        var id = new Argument<string>("token-id") { Description = "The token's id (otk_…), as token list shows it." };
        var reason = new Option<string?>("--reason") { Description = "Why (recorded in the audit log).", HelpName = "TEXT" };
        var command = new Command("revoke", "Revoke one of an operator's tokens; it stops working at once.") { name, id, reason };
        CliAction.Set(command, globals, async context =>
        {
            using var api = await context.ConnectAsync();
            var answer = await api.PostAsync(
                $"v1/operators/{CommandArguments.Segment(context.Value(name)!)}/tokens/{CommandArguments.Segment(context.Value(id)!)}/revoke",
                new { reason = context.Value(reason) },
                context.CancellationToken);
            await PrintAsync(context, answer);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command TokenRotate(GlobalOptions globals)
    {
        var name = NameArgument();
        var id = new Argument<string>("token-id") { Description = "The token to replace (otk_…)." };
        var ttl = new Option<string?>("--ttl") { Description = "Lifetime of the new token: seconds or a duration; default Mandate:Operators:TokenLifetime.", HelpName = "DURATION" };
        var output = new Option<FileInfo?>("--output") { Description = "Write the new token to this new file (mode 0600) instead of printing it.", HelpName = "FILE" };
        var command = new Command("rotate", "Replace a token: a new one is created (shown once) and the old one revoked, together.") { name, id, ttl, output };
        CliAction.Set(command, globals, async context =>
        {
            using var api = await context.ConnectAsync();
            var answer = await api.PostAsync(
                $"v1/operators/{CommandArguments.Segment(context.Value(name)!)}/tokens/{CommandArguments.Segment(context.Value(id)!)}/rotate",
                new Dictionary<string, object?> { ["ttl_seconds"] = CommandArguments.SecondsOrUsage(context.Value(ttl), "--ttl") },
                context.CancellationToken);
            await PrintIssuedAsync(context, answer, context.Value(output));
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>An answer carrying a new secret: with a file, the secret goes there and the rest is printed without it.</summary>
    public static async Task PrintIssuedAsync(CliContext context, JsonElement answer, FileInfo? output)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (output is null)
        {
            await PrintAsync(context, answer);
            return;
        }

        await SecretOutput.WriteAsync(output, answer.GetProperty("token").GetString()!, "--output", context.CancellationToken);
        var shown = answer.EnumerateObject().Where(p => p.Name != "token").ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);
        shown["token_file"] = JsonSerializer.SerializeToElement(output.FullName);
        await PrintAsync(context, JsonSerializer.SerializeToElement(shown));
    }

    private static async Task PrintAsync(CliContext context, JsonElement answer)
    {
        if (context.Json)
        {
            await context.Output.JsonAsync(answer);
            return;
        }

        context.Output.Fields(answer);
    }
}
