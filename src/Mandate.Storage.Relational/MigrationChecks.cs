using Mandate.Core.Storage;
using Mandate.Storage.Relational.Repositories;

namespace Mandate.Storage.Relational;

/// <summary>The checks a migration names with <c>-- @check NAME</c>: code that proves a conversion lost nothing before
/// the migration drops what it converted from.</summary>
internal static class MigrationChecks
{
    public static Task RunAsync(string name, RelationalSession session, CancellationToken cancellationToken) => name switch
    {
        "audit_compact" => AuditLayoutConversion.CheckAsync(session, cancellationToken),
        _ => throw new StoreException($"A migration names the check '{name}', which this build does not have."),
    };
}
