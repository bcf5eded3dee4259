using System.CommandLine;
using Mandate.Cli.Grammar;

namespace Mandate.Cli.Commands;

/// <summary><c>mandate credential show JTI</c>: one issued credential with its task, chain, revocation and use (<c>GET /v1/credentials/{jti}</c>).</summary>
internal static class CredentialCommand
{
    public static Command Create(GlobalOptions globals) => CliAction.Group(
        "credential",
        "Inspect issued credentials (never their tokens).",
        Show(globals));

    private static Command Show(GlobalOptions globals)
    {
        var jti = new Argument<string>("jti") { Description = "The credential's jti." };
        var command = new Command("show", "Show one credential: holder, subject, chain, scope, expiry, revocation and use.") { jti };
        CliAction.Set(command, globals, async context =>
        {
            using var api = await context.ConnectAsync();
            var credential = await api.GetAsync("v1/credentials/" + CommandArguments.Segment(context.Value(jti)!), context.CancellationToken);
            if (context.Json)
            {
                await context.Output.JsonAsync(credential);
                return ExitCodes.Success;
            }

            context.Output.Fields(credential);
            return ExitCodes.Success;
        });
        return command;
    }
}
