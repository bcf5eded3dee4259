using System.CommandLine;

namespace Mandate.Cli.Commands;

/// <summary><c>mandate audit verify|export|query|prove|timeline</c>: the tamper-evident ledger, offline from a store or a file.</summary>
internal static class AuditCommand
{
    public static Command Create()
    {
        var command = new Command("audit", "Verify, export and query the tamper-evident audit ledger.");
        command.Subcommands.Add(AuditVerifyCommand.Create());
        command.Subcommands.Add(AuditExportCommand.Create());
        command.Subcommands.Add(AuditQueryCommand.Create());
        command.Subcommands.Add(AuditProveCommand.Create());
        command.Subcommands.Add(AuditTimelineCommand.Create());
        return command;
    }
}
