using System.Buffers;
using System.Globalization;
using System.Text;

namespace Mandate.Cli.Commands;

/// <summary>
/// Reads a UTF-8 file line by line (JSON Lines: a line ends at '\n', a '\r' before it is dropped) and counts the lines,
/// so that a byte that is not UTF-8 is reported at its line and byte column in the file; a StreamReader's decoder only
/// knows an offset into its own buffer. Only <see cref="ReadLineAsync(CancellationToken)"/> is supported.
/// </summary>
internal sealed class Utf8LineReader : TextReader
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    // Skipped at the start, as StreamReader did: an export re-saved by an editor may have gained one.
    private static ReadOnlySpan<byte> ByteOrderMark => [0xEF, 0xBB, 0xBF];

    private readonly FileStream stream;
    private readonly string name;
    private byte[] buffer = new byte[64 * 1024];
    private int start;
    private int end;
    private bool endOfFile;

    private Utf8LineReader(FileStream stream, string name)
    {
        this.stream = stream;
        this.name = name;
    }

    /// <summary>The number of the line last returned (1-based).</summary>
    public long LineNumber { get; private set; }

    /// <summary>Told the bytes read from the file so far, after each read (for a progress bar).</summary>
    public Action<long>? Progress { get; set; }

    /// <summary>The file's length in bytes.</summary>
    public long Length => stream.Length;

    /// <summary>Opens <paramref name="path"/>; errors (and <see cref="InvalidDataException"/> for a byte that is not UTF-8) name it as <paramref name="name"/>.</summary>
    public static Utf8LineReader Open(string path, string name) =>
        new(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.Asynchronous | FileOptions.SequentialScan), name);

    public override async ValueTask<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        var scanned = 0;
        while (true)
        {
            var newline = buffer.AsSpan(start + scanned, end - start - scanned).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                var length = scanned + newline;
                var line = Decode(buffer.AsSpan(start, length));
                start += length + 1;
                return line;
            }

            scanned = end - start;
            if (endOfFile)
            {
                if (scanned == 0)
                {
                    return null;
                }

                var last = Decode(buffer.AsSpan(start, scanned));
                start = end;
                return last;
            }

            if (start > 0)
            {
                Buffer.BlockCopy(buffer, start, buffer, 0, scanned);
                start = 0;
                end = scanned;
            }

            if (end == buffer.Length)
            {
                Array.Resize(ref buffer, buffer.Length * 2);
            }

            var read = await stream.ReadAsync(buffer.AsMemory(end), cancellationToken);
            endOfFile = read == 0;
            end += read;
            Progress?.Invoke(stream.Position);
        }
    }

    public override Task<string?> ReadLineAsync() => ReadLineAsync(CancellationToken.None).AsTask();

    // The base class would answer "end of file" for these; failing loudly is better than a silently empty read.
    public override int Read() => throw new NotSupportedException("Utf8LineReader reads whole lines only.");

    public override int Peek() => throw new NotSupportedException("Utf8LineReader reads whole lines only.");

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            stream.Dispose();
        }

        base.Dispose(disposing);
    }

    private string Decode(ReadOnlySpan<byte> line)
    {
        LineNumber++;
        var skipped = 0;
        if (LineNumber == 1 && line.StartsWith(ByteOrderMark))
        {
            skipped = ByteOrderMark.Length;
            line = line[skipped..];
        }

        if (line.EndsWith("\r"u8))
        {
            line = line[..^1];
        }

        try
        {
            return Strict.GetString(line);
        }
        catch (DecoderFallbackException)
        {
            var valid = 0;
            while (Rune.DecodeFromUtf8(line[valid..], out _, out var consumed) == OperationStatus.Done)
            {
                valid += consumed;
            }

            throw new InvalidDataException(
                $"{name}:{LineNumber.ToString(CultureInfo.InvariantCulture)}:{(skipped + valid + 1).ToString(CultureInfo.InvariantCulture)}: not valid UTF-8 (byte 0x{line[valid]:X2}; the column counts bytes)");
        }
    }
}
