using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Mandate.Gateway.Mcp;

/// <summary>
/// One upstream MCP server behind the gateway: the client session to it (a process the gateway starts over stdio, or a
/// Streamable HTTP endpoint), its catalogue (tools, resources, prompts: what the decisions are about) and its health.
/// When the session ends (the process exited, the connection failed) callers get a clear error naming the upstream and
/// the session is restarted in the background with a capped, doubling delay; a restart that succeeds resets the delay.
/// </summary>
internal sealed partial class UpstreamServer : IAsyncDisposable
{
    private readonly UpstreamOptions options;
    private readonly GatewayLimits limits;
    private readonly ILoggerFactory loggers;
    private readonly ILogger logger;
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly CancellationTokenSource stopping = new();
    private McpClient? client;
    private Catalogue? catalogue;
    private TimeSpan delay;
    private DateTimeOffset nextAttempt = DateTimeOffset.MinValue;
    private string? lastFailure;
    private int restarts;
    private int disposed;

    public UpstreamServer(UpstreamOptions options, GatewayLimits limits, ILoggerFactory loggers)
    {
        this.options = options;
        this.limits = limits;
        this.loggers = loggers;
        logger = loggers.CreateLogger<UpstreamServer>();
        delay = limits.MinRestartDelay;
    }

    public string Name => options.Name;

    public UpstreamOptions Options => options;

    public GatewayLimits Limits => limits;

    /// <summary>How many times the session was restarted after it ended (tests and health).</summary>
    public int Restarts => Volatile.Read(ref restarts);

    /// <summary>The live session, starting it when there is none and the restart delay has passed.</summary>
    /// <exception cref="UpstreamUnavailableException">The upstream is down and not yet due for a restart, or failed to start.</exception>
    public async Task<McpClient> ClientAsync(CancellationToken cancellationToken)
    {
        if (client is { } live && !live.Completion.IsCompleted)
        {
            return live;
        }

        await gate.WaitAsync(cancellationToken);
        try
        {
            if (client is { } current && !current.Completion.IsCompleted)
            {
                return current;
            }

            var now = DateTimeOffset.UtcNow;
            if (now < nextAttempt)
            {
                throw new UpstreamUnavailableException(
                    $"The MCP server '{Name}' is unavailable ({lastFailure}); the gateway restarts it in {(nextAttempt - now).TotalSeconds:0.#} s.");
            }

            return await StartAsync(cancellationToken);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// How long a listed catalogue is trusted: an upstream that changes its tools without saying so (no
    /// <c>list_changed</c> notification) is seen within this time.
    /// </summary>
    public static readonly TimeSpan CatalogueMaxAge = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The upstream's tools, resources and prompts, listed once per session and again when it says they changed or
    /// after <see cref="CatalogueMaxAge"/>.
    /// </summary>
    public async Task<Catalogue> CatalogueAsync(CancellationToken cancellationToken)
    {
        var session = await ClientAsync(cancellationToken);
        if (Volatile.Read(ref catalogue) is { } known && ReferenceEquals(known.Session, session) && DateTimeOffset.UtcNow - known.ListedAt < CatalogueMaxAge)
        {
            return known;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(limits.UpstreamTimeout);
        try
        {
            var capabilities = session.ServerCapabilities;
            IList<McpClientTool> tools = capabilities.Tools is not null ? await session.ListToolsAsync(cancellationToken: timeout.Token) : [];
            IList<McpClientResource> resources = capabilities.Resources is not null ? await session.ListResourcesAsync(cancellationToken: timeout.Token) : [];
            IList<McpClientResourceTemplate> templates = capabilities.Resources is not null ? await session.ListResourceTemplatesAsync(cancellationToken: timeout.Token) : [];
            IList<McpClientPrompt> prompts = capabilities.Prompts is not null ? await session.ListPromptsAsync(cancellationToken: timeout.Token) : [];
            var listed = new Catalogue(
                session,
                tools.Select(t => t.ProtocolTool).ToList(),
                resources.Select(r => r.ProtocolResource).ToList(),
                templates.Select(t => t.ProtocolResourceTemplate).ToList(),
                prompts.Select(p => p.ProtocolPrompt).ToList(),
                DateTimeOffset.UtcNow);
            Volatile.Write(ref catalogue, listed);
            return listed;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new UpstreamUnavailableException($"The MCP server '{Name}' did not list its tools within {limits.UpstreamTimeout.TotalSeconds:0.#} s.");
        }
    }

    /// <summary>Sends one request to the upstream within the timeout; a session that ends meanwhile is a clear error.</summary>
    public async Task<T> SendAsync<T>(Func<McpClient, CancellationToken, ValueTask<T>> send, CancellationToken cancellationToken)
    {
        var session = await ClientAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(limits.UpstreamTimeout);
        try
        {
            return await send(session, timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new UpstreamUnavailableException($"The MCP server '{Name}' did not answer within {limits.UpstreamTimeout.TotalSeconds:0.#} s.");
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException || (e is not McpProtocolException && session.Completion.IsCompleted))
        {
            throw new UpstreamUnavailableException($"The MCP server '{Name}' stopped while answering; the gateway restarts it.", e);
        }
    }

    /// <summary>Half the start budget (15 s by default): the handshake fallback needs the other half.</summary>
    private static TimeSpan DiscoverProbeTimeout(TimeSpan startTimeout) => startTimeout / 2;

    private async Task<McpClient> StartAsync(CancellationToken cancellationToken)
    {
        IClientTransport transport = options.Url is { } url
            ? new HttpClientTransport(new HttpClientTransportOptions { Endpoint = url, TransportMode = HttpTransportMode.StreamableHttp, Name = Name }, loggers)
            : new StdioClientTransport(
                new StdioClientTransportOptions
                {
                    Name = Name,
                    Command = options.Command![0],
                    Arguments = options.Command.Skip(1).ToList(),
                    ShutdownTimeout = TimeSpan.FromSeconds(2),
                },
                loggers);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stopping.Token);
        timeout.CancelAfter(limits.UpstreamStartTimeout);
        McpClient started;
        try
        {
            started = await McpClient.CreateAsync(
                transport,
                new McpClientOptions
                {
                    ClientInfo = new Implementation { Name = "mandate-mcp-gateway", Version = "1.0" },

                    // The revision probe is the first request a freshly started process reads, so its answer time includes
                    // the process's start-up: with the SDK's 5 s default a slow start silently downgraded the upstream to
                    // the handshake revision (different answers from the same server). A server that does not know the
                    // probe answers "method not found" at once; only one that drops it waits this long.
                    DiscoverProbeTimeout = DiscoverProbeTimeout(limits.UpstreamStartTimeout),
                },
                loggers,
                timeout.Token);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Failed(e is OperationCanceledException ? $"it did not start within {limits.UpstreamStartTimeout.TotalSeconds:0.#} s" : "it failed to start: " + e.Message);
            throw new UpstreamUnavailableException($"The MCP server '{Name}' is unavailable ({lastFailure}).", e);
        }

        started.RegisterNotificationHandler(NotificationMethods.ToolListChangedNotification, (_, _) => Forget());
        started.RegisterNotificationHandler(NotificationMethods.ResourceListChangedNotification, (_, _) => Forget());
        started.RegisterNotificationHandler(NotificationMethods.PromptListChangedNotification, (_, _) => Forget());
        client = started;
        delay = limits.MinRestartDelay;
        lastFailure = null;
        LogStarted(logger, Name, options.Describe());
        _ = WatchAsync(started);
        return started;
    }

    private ValueTask Forget()
    {
        Volatile.Write(ref catalogue, null);
        return ValueTask.CompletedTask;
    }

    /// <summary>When the session ends, restarts it after the current delay (doubling on each failure), until stopped.</summary>
    private async Task WatchAsync(McpClient session)
    {
        var details = await session.Completion;
        if (stopping.IsCancellationRequested)
        {
            return;
        }

        var reason = details is StdioClientCompletionDetails { ExitCode: { } code } ? $"the process exited with code {code}" : "the session ended";
        if (details.Exception is { } error)
        {
            reason += ": " + error.Message;
        }

        await gate.WaitAsync();
        try
        {
            if (ReferenceEquals(client, session))
            {
                Failed(reason);
            }
        }
        finally
        {
            gate.Release();
        }

        LogEnded(logger, Name, reason);
        await session.DisposeAsync();
        while (!stopping.IsCancellationRequested)
        {
            var wait = nextAttempt - DateTimeOffset.UtcNow;
            try
            {
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, stopping.Token);
                }

                await ClientAsync(stopping.Token);
                Interlocked.Increment(ref restarts);
                return;
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (UpstreamUnavailableException)
            {
                // Failed() has set the next attempt further out; try again then.
            }
        }
    }

    private void Failed(string reason)
    {
        lastFailure = reason;
        client = null;
        Volatile.Write(ref catalogue, null);
        nextAttempt = DateTimeOffset.UtcNow + delay;
        delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, limits.MaxRestartDelay.Ticks));
    }

    public async ValueTask DisposeAsync()
    {
        // The container disposes the upstreams (stopping their processes) when the gateway stops.
        if (Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return;
        }

        await stopping.CancelAsync();
        if (client is { } live)
        {
            await live.DisposeAsync();
        }

        stopping.Dispose();
        gate.Dispose();
    }

    [LoggerMessage(EventId = 9001, Level = LogLevel.Information, Message = "MCP upstream {Name} started ({Upstream})")]
    private static partial void LogStarted(ILogger logger, string name, string upstream);

    [LoggerMessage(EventId = 9002, Level = LogLevel.Warning, Message = "MCP upstream {Name} stopped: {Reason}; restarting with backoff")]
    private static partial void LogEnded(ILogger logger, string name, string reason);
}

/// <summary>What an upstream offers, as listed in one session.</summary>
internal sealed record Catalogue(
    McpClient Session, IReadOnlyList<Tool> Tools, IReadOnlyList<Resource> Resources, IReadOnlyList<ResourceTemplate> Templates, IReadOnlyList<Prompt> Prompts, DateTimeOffset ListedAt)
{
    private readonly Dictionary<string, Tool> toolsByName = ByName(Tools);

    /// <summary>The listed tool of that name (the first, should the upstream list a name twice), or null.</summary>
    public Tool? FindTool(string name) => toolsByName.GetValueOrDefault(name);

    private static Dictionary<string, Tool> ByName(IReadOnlyList<Tool> tools)
    {
        var byName = new Dictionary<string, Tool>(tools.Count, StringComparer.Ordinal);
        foreach (var tool in tools)
        {
            byName.TryAdd(tool.Name, tool);
        }

        return byName;
    }
}

/// <summary>The upstream cannot serve the request now (down, restarting, too slow).</summary>
internal sealed class UpstreamUnavailableException : Exception
{
    public UpstreamUnavailableException(string message)
        : base(message)
    {
    }

    public UpstreamUnavailableException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public UpstreamUnavailableException()
    {
    }
}
