using System.CommandLine;
using Mandate.Cli.Grammar;

namespace Mandate.Cli.Commands;

/// <summary>
/// <c>mandate audit verify|export|query|timeline|prove|keys|checkpoints|checkpoint|annotate</c>: the tamper-evident
/// ledger through the server's admin API (<c>/v1/audit</c>), or offline from a store (<c>--store</c>), an export
/// (<c>verify --file</c>) or a proof (<c>verify --proof</c>).
/// </summary>
internal static class AuditCommand
{
    public static Command Create(GlobalOptions globals) => CliAction.Group(
        "audit",
        "Verify, export, query and prove the tamper-evident audit ledger (server by default; --store reads a database offline).",
        AuditVerifyCommand.Create(globals),
        AuditExportCommand.Create(globals),
        AuditQueryCommand.Create(globals),
        AuditTimelineCommand.Create(globals),
        AuditProveCommand.Create(globals),
        AuditLedgerCommands.Keys(globals),
        AuditLedgerCommands.Checkpoints(globals),
        AuditLedgerCommands.Checkpoint(globals),
        AuditLedgerCommands.Annotate(globals));
}
