using System.Buffers;
using Mandate.Core.Governance.Findings;

namespace Mandate.Storage.Relational.Repositories;

/// <summary>
/// The stored form of findings about to be written (evidence JSON as UTF-8, and content digest), in the order they are
/// written. Encoding is pure CPU and costs about as much as the database's insert of the row, which runs on one core:
/// for a large write it runs on another core, chunks ahead of the rows being bound, so the two overlap instead of
/// adding. Each chunk's bytes sit in one pooled buffer, returned once the writer has bound them: a first recompute
/// encodes hundreds of thousands of findings, and as strings they all survived until the insert ended.
/// </summary>
internal sealed class FindingEncoding
{
    private const int Chunk = 1024;

    private readonly IReadOnlyList<Finding> findings;
    private readonly int[] order;

    // Per position: where its evidence starts in its chunk's buffer and how long it is, and its digest.
    private readonly int[] start;
    private readonly int[] length;
    private readonly long[] digests;
    private readonly byte[]?[] buffers;

    // One per chunk of the order, completed when that chunk is encoded (or failed with the encoder's exception);
    // null when the findings are few and encoded at once.
    private readonly TaskCompletionSource[]? chunks;

    private FindingEncoding(IReadOnlyList<Finding> findings, int[] order, CancellationToken cancellationToken)
    {
        this.findings = findings;
        this.order = order;
        start = new int[order.Length];
        length = new int[order.Length];
        digests = new long[order.Length];
        buffers = new byte[]?[(order.Length + Chunk - 1) / Chunk];
        if (order.Length < 2 * Chunk)
        {
            for (var chunk = 0; chunk < buffers.Length; chunk++)
            {
                EncodeChunk(chunk);
            }

            return;
        }

        chunks = new TaskCompletionSource[buffers.Length];
        for (var i = 0; i < chunks.Length; i++)
        {
            chunks[i] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        _ = Task.Run(() => EncodeAll(cancellationToken), CancellationToken.None);
    }

    /// <summary>Starts encoding the findings in the order given by <paramref name="order"/> (indexes into <paramref name="findings"/>).</summary>
    public static FindingEncoding Start(IReadOnlyList<Finding> findings, int[] order, CancellationToken cancellationToken) => new(findings, order, cancellationToken);

    /// <summary>
    /// Waits until the finding at <paramref name="position"/> of the order is encoded (the encoder's failure surfaces
    /// here); positions are asked for in order, and a chunk's buffer goes back to the pool when the next one is asked for.
    /// </summary>
    public ValueTask WaitForAsync(int position)
    {
        if (position % Chunk != 0)
        {
            return ValueTask.CompletedTask;
        }

        if (position > 0)
        {
            Release((position / Chunk) - 1);
        }

        return chunks is null ? ValueTask.CompletedTask : new ValueTask(chunks[position / Chunk].Task);
    }

    public ReadOnlySpan<byte> Evidence(int position) => buffers[position / Chunk].AsSpan(start[position], length[position]);

    public long Digest(int position) => digests[position];

    /// <summary>Returns every buffer still held (the writer is done, or gave up).</summary>
    public void ReleaseAll()
    {
        if (chunks is not null)
        {
            // Buffers of chunks still being encoded are the encoder's until it finishes them.
            for (var chunk = 0; chunk < chunks.Length; chunk++)
            {
                if (chunks[chunk].Task.IsCompleted)
                {
                    Release(chunk);
                }
            }

            return;
        }

        for (var chunk = 0; chunk < buffers.Length; chunk++)
        {
            Release(chunk);
        }
    }

    private void Release(int chunk)
    {
        if (Interlocked.Exchange(ref buffers[chunk], null) is { } buffer)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void EncodeAll(CancellationToken cancellationToken)
    {
        var chunk = 0;
        try
        {
            for (; chunk < chunks!.Length; chunk++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                EncodeChunk(chunk);
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

    private void EncodeChunk(int chunk)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        var used = 0;
        try
        {
            for (var position = chunk * Chunk; position < Math.Min(order.Length, (chunk + 1) * Chunk); position++)
            {
                var finding = findings[order[position]];
                var evidence = FindingEvidenceJson.EncodeUtf8(finding.Evidence);
                if (used + evidence.Length > buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(Math.Max(buffer.Length * 2, used + evidence.Length));
                    buffer.AsSpan(0, used).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                start[position] = used;
                length[position] = evidence.Length;
                evidence.CopyTo(buffer.AsSpan(used));
                used += evidence.Length;
                digests[position] = FindingDigest.Of(finding);
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }

        buffers[chunk] = buffer;
    }
}
