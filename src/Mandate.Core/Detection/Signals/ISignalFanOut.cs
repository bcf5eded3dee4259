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

    /// <summary>
    /// Whether anything could receive a message now (a webhook endpoint, a stream not disabled). When no fan-out has a
    /// receiver, the loop reads no records and moves its cursor only now and then (see <see cref="SignalFanOutLoop"/>).
    /// </summary>
    Task<bool> HasReceiversAsync(IStoreSession session, CancellationToken cancellationToken);
}
