using Mandate.Core.Storage;

namespace Mandate.Core.Audit;

/// <summary>Appends events to the hash-chained audit log inside the caller's transaction.</summary>
public interface IAuditTrail
{
    Task<AuditRecord> RecordAsync(IStoreSession session, AuditEvent auditEvent, CancellationToken cancellationToken);
}
