using System.Globalization;

namespace Mandate.Benchmarks.Corpus;

/// <summary>The few options of the corpus commands: <c>--name value</c> pairs after one positional directory.</summary>
internal sealed class CommandLine
{
    private readonly Dictionary<string, string> _options = new(StringComparer.Ordinal);

    private CommandLine(string directory) => Directory = directory;

    public string Directory { get; }

    public static CommandLine Parse(string command, IReadOnlyList<string> args, IReadOnlySet<string> known)
    {
        string? directory = null;
        var line = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                if (!known.Contains(arg))
                {
                    throw new UsageException($"{command}: unknown option '{arg}'. Known: {string.Join(", ", known.Order(StringComparer.Ordinal))}.");
                }
                if (i + 1 >= args.Count)
                {
                    throw new UsageException($"{command}: option '{arg}' needs a value.");
                }
                line[arg] = args[++i];
            }
            else if (directory is null)
            {
                directory = arg;
            }
            else
            {
                throw new UsageException($"{command}: unexpected argument '{arg}'.");
            }
        }
        var result = new CommandLine(directory ?? throw new UsageException($"{command}: missing the corpus directory."));
        foreach (var (name, value) in line)
        {
            result._options[name] = value;
        }
        return result;
    }

    public string? Text(string name) => _options.GetValueOrDefault(name);

    public int Int(string name, int fallback) => _options.TryGetValue(name, out var text) ? ParseInt(name, text) : fallback;

    public ulong ULong(string name, ulong fallback)
    {
        if (!_options.TryGetValue(name, out var text))
        {
            return fallback;
        }
        return ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new UsageException($"option '{name}': '{text}' is not a non-negative integer.");
    }

    public IReadOnlyList<int> Ints(string name, IReadOnlyList<int> fallback) =>
        _options.TryGetValue(name, out var text) ? [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(t => ParseInt(name, t))] : fallback;

    public IReadOnlyList<string> Names(string name, IReadOnlyList<string> fallback) =>
        _options.TryGetValue(name, out var text) ? text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : fallback;

    private static int ParseInt(string name, string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new UsageException($"option '{name}': '{text}' is not a positive integer.");
}

/// <summary>A command-line mistake: printed as one line, exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
