namespace Mandate.Gateway.Mcp;

/// <summary>
/// A write-only stream that keeps nothing and counts what is written to it, refusing once the count passes a limit: how
/// big an answer would be on the wire is known without buffering it, and a huge one is given up on at the limit.
/// </summary>
internal sealed class ByteCountingStream(long limit) : Stream
{
    public long Count { get; private set; }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => Count;

    public override long Position
    {
        get => Count;
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Count += buffer.Length;
        if (Count > limit)
        {
            throw new LimitExceededException();
        }
    }

    public override void WriteByte(byte value) => Write([value]);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>More than the limit was written.</summary>
    internal sealed class LimitExceededException : Exception
    {
        public LimitExceededException()
            : base("The limit was passed.")
        {
        }

        public LimitExceededException(string message)
            : base(message)
        {
        }

        public LimitExceededException(string message, Exception inner)
            : base(message, inner)
        {
        }
    }
}
