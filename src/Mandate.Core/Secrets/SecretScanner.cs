using System.Buffers;
using System.Diagnostics;
using System.IO.Enumeration;
using System.Text;

namespace Mandate.Core.Secrets;

/// <summary>
/// Scans a directory's files (and, with <see cref="GitHistory"/>, every blob its git repository ever held) for
/// secrets. Files are read as bytes and widened to characters as Latin-1 (one byte, one character: a vectorised copy,
/// no UTF-8 validation; every secret format is ASCII), scanned in parallel, and merged in path order so the same tree
/// always gives the same report. Raw values never leave this process: each detection is fingerprinted at once.
/// Skipped: <c>.git</c> directories, symbolic links, binary files (a NUL byte in the first 8000 bytes, git's own
/// test) and files over <see cref="SecretScanOptions.MaxFileBytes"/>. <c>.gitignore</c> is not honoured: an ignored
/// <c>.env</c> is exactly the file that leaks from a laptop or an image.
/// </summary>
internal sealed class SecretScanner(SecretFingerprinter fingerprinter, SecretScanOptions options)
{
    private const int BinaryProbe = 8000;

    /// <summary>Scans the files under <paramref name="root"/> (a directory, or one file).</summary>
    public SecretScanResult ScanTree(string root, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var merge = new SecretMerge();
        var (files, bytes, skipped) = ScanFiles(root, merge, cancellationToken);
        return merge.Result(files, bytes, skipped, 0, Stopwatch.GetElapsedTime(started), Process.GetCurrentProcess().TotalProcessorTime - cpu);
    }

    /// <summary>Scans the working tree under <paramref name="root"/> and every commit of the repository holding it.</summary>
    public async Task<SecretScanResult> ScanWithHistoryAsync(string root, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var merge = new SecretMerge();
        var (files, bytes, skipped) = ScanFiles(root, merge, cancellationToken);
        var history = await new GitHistory(root, options, fingerprinter).ScanAsync(merge, cancellationToken).ConfigureAwait(false);
        return merge.Result(files + history.Blobs, bytes + history.Bytes, skipped + history.Skipped, history.Commits, Stopwatch.GetElapsedTime(started), Process.GetCurrentProcess().TotalProcessorTime - cpu);
    }

    private (long Files, long Bytes, long Skipped) ScanFiles(string root, SecretMerge merge, CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(root);
        List<string> paths;
        string baseDirectory;
        if (File.Exists(full))
        {
            paths = [full];
            baseDirectory = Path.GetDirectoryName(full)!;
        }
        else
        {
            baseDirectory = full;
            var enumerable = new FileSystemEnumerable<string>(full, (ref FileSystemEntry entry) => entry.ToFullPath(), new EnumerationOptions
            {
                RecurseSubdirectories = true,
                IgnoreInaccessible = true,
                AttributesToSkip = FileAttributes.ReparsePoint,
                ReturnSpecialDirectories = false,
            })
            {
                ShouldIncludePredicate = (ref FileSystemEntry entry) => !entry.IsDirectory,
                ShouldRecursePredicate = (ref FileSystemEntry entry) => !entry.FileName.SequenceEqual(".git"),
            };
            paths = [.. enumerable];
            paths.Sort(StringComparer.Ordinal);
        }

        var results = new List<SecretHit>?[paths.Count];
        long bytes = 0, skipped = 0, files = 0;
        Parallel.For(0, paths.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Parallelism), CancellationToken = cancellationToken }, i =>
        {
            var path = paths[i];
            long length;
            try
            {
                using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.SequentialScan);
                length = RandomAccess.GetLength(handle);
                if (length > options.MaxFileBytes)
                {
                    Interlocked.Increment(ref skipped);
                    return;
                }

                var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Max(1, length));
                var read = 0;
                try
                {
                    while (read < length)
                    {
                        var n = RandomAccess.Read(handle, buffer.AsSpan(read, (int)length - read), read);
                        if (n == 0)
                        {
                            break;
                        }

                        read += n;
                    }

                    var hits = Scan(buffer.AsSpan(0, read));
                    if (hits is null)
                    {
                        Interlocked.Increment(ref skipped);
                        return;
                    }

                    results[i] = hits;
                    Interlocked.Add(ref bytes, read);
                    Interlocked.Increment(ref files);
                }
                finally
                {
                    // Only what was read can hold a secret: clearing the rest of the pooled array (a power of two
                    // long) doubled the memory written per file.
                    buffer.AsSpan(0, read).Clear();
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Interlocked.Increment(ref skipped);
            }
        });

        for (var i = 0; i < paths.Count; i++)
        {
            if (results[i] is { Count: > 0 } hits)
            {
                var relative = Path.GetRelativePath(baseDirectory, paths[i]).Replace(Path.DirectorySeparatorChar, '/');
                merge.Add(hits, h => new SecretLocation(relative, h.Line));
            }
        }

        return (files, bytes, skipped);
    }

    /// <summary>The detections in one file's bytes, or null when the bytes are binary.</summary>
    internal List<SecretHit>? Scan(ReadOnlySpan<byte> content)
    {
        if (content[..Math.Min(content.Length, BinaryProbe)].Contains((byte)0))
        {
            return null;
        }

        var chars = ArrayPool<char>.Shared.Rent(Math.Max(1, content.Length));
        try
        {
            var count = Encoding.Latin1.GetChars(content, chars);
            var sink = new HitSink(fingerprinter);
            SecretDetectors.Scan(chars.AsSpan(0, count), sink);
            return sink.Hits;
        }
        finally
        {
            // The part the file was widened into; the rest of the pooled array never held it.
            chars.AsSpan(0, content.Length).Clear();
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    /// <summary>Fingerprints each detection as it is made; the raw value goes no further.</summary>
    private sealed class HitSink(SecretFingerprinter fingerprinter) : ISecretSink
    {
        public List<SecretHit> Hits { get; } = [];

        public void Found(string kind, string confidence, ReadOnlySpan<char> value, int line, string? credentialId) =>
            Hits.Add(new SecretHit(fingerprinter.Of(value), kind, confidence, line, credentialId));
    }
}
