using Mandate.Core.Governance.Findings;

namespace Mandate.Storage.Relational.Repositories;

/// <summary>
/// The stored form of findings about to be written (evidence JSON, content digest), in the order they are written.
/// Encoding is pure CPU and costs about as much as the database's insert of the row, which runs on one core: for a
/// large write it runs on another core, chunks ahead of the rows being bound, so the two overlap instead of adding.
/// </summary>
internal sealed class FindingEncoding
{
    private const int Chunk = 1024;

    private readonly IReadOnlyList<Finding> findings;
    private readonly int[] order;
    private readonly string[] evidence;
    private readonly string[] digests;

    // One per chunk of the order, completed when that chunk is encoded (or failed with the encoder's exception).
    private readonly TaskCompletionSource[]? chunks;

    private FindingEncoding(IReadOnlyList<Finding> findings, int[] order, CancellationToken cancellationToken)
    {
        this.findings = findings;
        this.order = order;
        evidence = new string[order.Length];
        digests = new string[order.Length];
        if (order.Length < 2 * Chunk)
        {
            EncodeRange(0, order.Length);
            return;
        }

        chunks = new TaskCompletionSource[(order.Length + Chunk - 1) / Chunk];
        for (var i = 0; i < chunks.Length; i++)
        {
            chunks[i] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        _ = Task.Run(() => EncodeAll(cancellationToken), CancellationToken.None);
    }

    /// <summary>Starts encoding the findings in the order given by <paramref name="order"/> (indexes into <paramref name="findings"/>).</summary>
    public static FindingEncoding Start(IReadOnlyList<Finding> findings, int[] order, CancellationToken cancellationToken) => new(findings, order, cancellationToken);

    /// <summary>Waits until the finding at <paramref name="position"/> of the order is encoded; the encoder's failure surfaces here.</summary>
    public ValueTask WaitForAsync(int position) =>
        chunks is null || position % Chunk != 0 ? ValueTask.CompletedTask : new ValueTask(chunks[position / Chunk].Task);

    public string Evidence(int position) => evidence[position];

    public string Digest(int position) => digests[position];

    private void EncodeAll(CancellationToken cancellationToken)
    {
        var chunk = 0;
        try
        {
            for (; chunk < chunks!.Length; chunk++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                EncodeRange(chunk * Chunk, Math.Min(order.Length, (chunk + 1) * Chunk));
                chunks[chunk].SetResult();
            }
        }
        catch (OperationCanceledException ex)
        {
            for (; chunk < chunks!.Length; chunk++)
            {
                chunks[chunk].SetCanceled(ex.CancellationToken);
            }
        }
        catch (Exception ex)
        {
            for (; chunk < chunks!.Length; chunk++)
            {
                chunks[chunk].SetException(ex);
            }
        }
    }

    private void EncodeRange(int from, int to)
    {
        for (var position = from; position < to; position++)
        {
            var finding = findings[order[position]];
            evidence[position] = FindingEvidenceJson.Encode(finding.Evidence);
            digests[position] = FindingDigest.Of(finding);
        }
    }
}
