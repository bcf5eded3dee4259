using System.CommandLine;

namespace Mandate.Cli.Commands;

/// <summary><c>mandate policy validate|format|eval|test|bench</c>: work with Cedar policies offline.</summary>
internal static class PolicyCommand
{
    public static Command Create()
    {
        var command = new Command("policy", "Validate, format, evaluate, test and benchmark Cedar policies.");
        command.Subcommands.Add(PolicyValidateCommand.Create());
        command.Subcommands.Add(PolicyFormatCommand.Create());
        command.Subcommands.Add(PolicyEvalCommand.Create());
        command.Subcommands.Add(PolicyTestCommand.Create());
        command.Subcommands.Add(PolicyBenchCommand.Create());
        return command;
    }
}
