using System.CommandLine;

namespace Mandate.Cli.Grammar;

/// <summary>What a command's action works with: the parse, the global options, the output writer and cancellation.</summary>
internal sealed class CliContext
{
    public CliContext(ParseResult parse, GlobalOptions globals, bool interactive, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parse);
        Parse = parse;
        Globals = globals;
        CancellationToken = cancellationToken;
        Output = new CliOutput(parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, parse.GetValue(globals.Json), interactive);
    }

    public ParseResult Parse { get; }

    public GlobalOptions Globals { get; }

    public CliOutput Output { get; }

    public bool Json => Output.Json;

    public CancellationToken CancellationToken { get; }

    public T? Value<T>(Option<T> option) => Parse.GetValue(option);

    public T? Value<T>(Argument<T> argument) => Parse.GetValue(argument);

    /// <summary>Whether <paramref name="option"/> was typed (not just defaulted).</summary>
    public bool Given(Option option) => Parse.GetResult(option) is { Implicit: false };

    /// <summary>The server connection with the admin token (or <paramref name="bearer"/>, a workload credential).</summary>
    public Task<AdminApi> ConnectAsync(string? bearer = null, TimeSpan? timeout = null) => AdminApi.ConnectAsync(this, bearer, timeout);
}
