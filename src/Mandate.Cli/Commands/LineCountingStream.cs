using System.Text;

namespace Mandate.Cli.Commands;

/// <summary>
/// A write-only stream that counts the lines written through it (for progress and the export summary) and passes
/// the bytes on: to a file, or to the command's output writer (so that in-process callers capture them too).
/// </summary>
internal sealed class LineCountingStream : Stream
{
    private readonly Stream inner;
    private readonly TextWriter? writer;
    private readonly Decoder decoder = new UTF8Encoding(false, true).GetDecoder();

    /// <summary>With <paramref name="writer"/>, bytes are decoded and written to it and <paramref name="inner"/> is only disposed.</summary>
    public LineCountingStream(Stream inner, TextWriter? writer)
    {
        this.inner = inner;
        this.writer = writer;
    }

    public long Lines { get; private set; }

    public Action<long>? Progress { get; set; }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Flush()
    {
        writer?.Flush();
        inner.Flush();
    }

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (writer is not null)
        {
            await writer.FlushAsync(cancellationToken);
        }

        await inner.FlushAsync(cancellationToken);
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Count(buffer);
        if (writer is not null)
        {
            var chars = new char[decoder.GetCharCount(buffer, flush: false)];
            decoder.GetChars(buffer, chars, flush: false);
            writer.Write(chars);
        }
        else
        {
            inner.Write(buffer);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Count(buffer.Span);
        if (writer is not null)
        {
            var chars = new char[decoder.GetCharCount(buffer.Span, flush: false)];
            decoder.GetChars(buffer.Span, chars, flush: false);
            await writer.WriteAsync(chars, cancellationToken);
        }
        else
        {
            await inner.WriteAsync(buffer, cancellationToken);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync();
        await base.DisposeAsync();
    }

    private void Count(ReadOnlySpan<byte> buffer)
    {
        var before = Lines;
        Lines += buffer.Count((byte)'\n');
        if (Lines / 1000 != before / 1000)
        {
            Progress?.Invoke(Lines);
        }
    }
}
