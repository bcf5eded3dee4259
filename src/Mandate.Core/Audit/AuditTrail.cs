using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Mandate.Core.Storage;

namespace Mandate.Core.Audit;

/// <summary>
/// Chains each event to its predecessor: hash = SHA-256(previous hash || canonical JSON of the record body).
/// </summary>
internal sealed class AuditTrail(TimeProvider time) : IAuditTrail
{
    public const string GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

    public async Task<AuditRecord> RecordAsync(IStoreSession session, AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(auditEvent);
        var repository = session.Get<IAuditRepository>();
        var head = await repository.GetHeadForAppendAsync(cancellationToken);
        var sequence = (head?.Sequence ?? 0) + 1;
        var previous = head?.Hash ?? GenesisHash;
        var now = time.GetUtcNow();
        var canonical = AuditCanonicalForm.Serialize(sequence, now, auditEvent);
        var hash = ComputeHash(previous, canonical);
        var record = new AuditRecord(sequence, now, auditEvent, previous, hash);
        await repository.AppendAsync(record, canonical, cancellationToken);
        return record;
    }

    public static string ComputeHash(string previousHash, string canonicalJson)
    {
        var bytes = Encoding.UTF8.GetBytes(previousHash + "\n" + canonicalJson);
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }
}
