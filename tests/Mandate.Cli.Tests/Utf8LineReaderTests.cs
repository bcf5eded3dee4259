using System.Text;
using Mandate.Cli.Commands;

namespace Mandate.Cli.Tests;

public sealed class Utf8LineReaderTests : IDisposable
{
    private readonly DirectoryInfo temp = Directory.CreateTempSubdirectory("mandate-lines-");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => temp.Delete(recursive: true);

    [Fact]
    public async Task ShouldReturnEveryLine_AcrossBufferBoundaries_WithCrLf_AndWithoutAFinalNewline()
    {
        string[] lines = ["é" + new string('a', 70_000), "", "short", new string('b', 300_000), "last"];
        var path = Path.Combine(temp.FullName, "lines.txt");
        await File.WriteAllTextAsync(path, "\uFEFF" + string.Join("\r\n", lines), new UTF8Encoding(false), Ct);

        using var reader = Utf8LineReader.Open(path, "lines.txt");
        var read = new List<string>();
        while (await reader.ReadLineAsync(Ct) is { } line)
        {
            read.Add(line);
        }

        Assert.Equal(lines, read);
        Assert.Equal(5, reader.LineNumber);
    }

    [Fact]
    public async Task ShouldNameTheLineAndByteColumn_OfAByteThatIsNotUtf8_PastTheFirstBuffer()
    {
        var path = Path.Combine(temp.FullName, "bad.txt");
        var bytes = Encoding.UTF8.GetBytes(new string('a', 100_000) + "\nxé" + new string('c', 10)).ToList();
        bytes.Insert(100_000 + 1 + 3, 0xFF);
        await File.WriteAllBytesAsync(path, [.. bytes], Ct);

        using var reader = Utf8LineReader.Open(path, "bad.txt");
        Assert.NotNull(await reader.ReadLineAsync(Ct));
        var error = await Assert.ThrowsAsync<InvalidDataException>(async () => await reader.ReadLineAsync(Ct));
        Assert.StartsWith("bad.txt:2:4: not valid UTF-8 (byte 0xFF", error.Message, StringComparison.Ordinal);
    }
}
