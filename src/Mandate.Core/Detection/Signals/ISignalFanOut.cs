using Mandate.Core.Audit;
using Mandate.Core.Storage;

namespace Mandate.Core.Detection.Signals;

/// <summary>
/// Turns ledger records into outbox messages (webhooks, Security Event Tokens), inside the fan-out's transaction, so
/// a record's messages are written exactly once together with the cursor that passes it.
/// </summary>
internal interface ISignalFanOut
{
    Task FanOutAsync(IStoreSession session, IReadOnlyList<AuditRecord> records, ICollection<SignalDelivery> output, CancellationToken cancellationToken);
}
