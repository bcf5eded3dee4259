using Mandate.Core.Audit;
using Mandate.Core.Detection.Signals;
using Mandate.Core.Storage;

namespace Mandate.Core.Detection.SharedSignals;

/// <summary>
/// One signed SET per stream for every ledger record that is a Security Event (<see cref="SsfEventMapper"/>), when the
/// stream requested its type, is not disabled, and has not removed its subject. Push SETs are due at once; poll SETs
/// wait in the outbox until the receiver fetches and acknowledges them.
/// </summary>
internal sealed class SsfFanOut(SsfSetWriter writer, TimeProvider time) : ISignalFanOut
{
    /// <summary>When a poll stream's SETs are "due" for the dispatcher: never (the receiver fetches them).</summary>
    public static readonly DateTimeOffset NeverPushed = new(9999, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public async Task<bool> HasReceiversAsync(IStoreSession session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        var streams = await session.Get<ISsfRepository>().ListStreamsAsync(cancellationToken).ConfigureAwait(false);
        return streams.Any(s => s.Status != SsfStreamStatus.Disabled);
    }

    public async Task FanOutAsync(IStoreSession session, IReadOnlyList<AuditRecord> records, ICollection<SignalDelivery> output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(output);
        IReadOnlyList<SsfStream>? streams = null;
        IReadOnlyDictionary<string, IReadOnlySet<string>>? excluded = null;
        foreach (var record in records)
        {
            if (SsfEventMapper.Map(record) is not { } signal)
            {
                continue;
            }

            var repository = session.Get<ISsfRepository>();
            streams ??= [.. (await repository.ListStreamsAsync(cancellationToken).ConfigureAwait(false)).Where(s => s.Status != SsfStreamStatus.Disabled)];
            if (streams.Count == 0)
            {
                return;
            }

            excluded ??= await repository.ListExcludedSubjectsAsync(cancellationToken).ConfigureAwait(false);
            var keys = SsfSubjects.Keys(signal.Subject).ToList();
            var now = time.GetUtcNow();
            foreach (var stream in streams)
            {
                if (!stream.EventsDelivered.Contains(signal.Type, StringComparer.Ordinal)
                    || (excluded.TryGetValue(stream.Id, out var removed) && keys.Any(removed.Contains)))
                {
                    continue;
                }

                output.Add(Delivery(stream, writer.Write(stream, signal.Subject, signal.Type, signal.Claims, now, "ledger:" + record.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture)), signal.Type, now));
            }
        }
    }

    public static SignalDelivery Delivery(SsfStream stream, (string Jti, string Token) set, string type, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return new SignalDelivery
        {
            Id = set.Jti,
            Channel = SignalChannels.SharedSignals,
            Target = stream.Id,
            EventType = type,
            Payload = set.Token,
            CreatedAt = now,
            NextAttemptAt = stream.IsPush && stream.Status == SsfStreamStatus.Enabled ? now : NeverPushed,
        };
    }
}
