using System.Text.Json;

namespace Mandate.Gateway.Mcp;

/// <summary>
/// The configuration file form of <c>mandate gateway mcp --config FILE</c>, for several upstreams and the limits:
/// <code>
/// {
///   "listen": "http://127.0.0.1:8090",
///   "server": "http://127.0.0.1:8080",
///   "public_url": "https://gateway.example.com",
///   "upstreams": [
///     { "name": "files", "command": ["npx", "-y", "@modelcontextprotocol/server-filesystem", "/srv/files"],
///       "tool_actions": { "read_text_file": "read" } },
///     { "name": "tickets", "url": "http://127.0.0.1:9000/mcp" }
///   ],
///   "limits": { "requests_per_minute_per_credential": 600, "calls_per_minute_per_tool": 600,
///               "max_request_bytes": 1048576, "max_response_bytes": 4194304, "upstream_timeout_seconds": 30,
///               "upstream_start_timeout_seconds": 30 }
/// }
/// </code>
/// Every member but <c>upstreams</c> may be left to the command line. An error names the file, line and column.
/// </summary>
internal sealed record GatewayConfigFile(Uri? Listen, Uri? Server, Uri? PublicUrl, IReadOnlyList<UpstreamOptions> Upstreams, GatewayLimits Limits)
{
    private const int MaxFileBytes = 1024 * 1024;

    /// <exception cref="GatewayConfigException">The file cannot be read or is not a valid configuration.</exception>
    public static GatewayConfigFile Read(string path)
    {
        byte[] bytes;
        try
        {
            var info = new FileInfo(path);
            if (info.Exists && info.Length > MaxFileBytes)
            {
                throw new GatewayConfigException($"{path}: the file is larger than {MaxFileBytes} bytes.");
            }

            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new GatewayConfigException($"{path}: cannot read the file: {e.Message}", e);
        }

        return Parse(bytes, path);
    }

    public static GatewayConfigFile Parse(ReadOnlySpan<byte> json, string path)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        JsonDocument document;
        try
        {
            document = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException e)
        {
            throw new GatewayConfigException($"{path}:{(e.LineNumber ?? 0) + 1}:{(e.BytePositionInLine ?? 0) + 1}: not valid JSON: {FirstSentence(e.Message)}", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Error(path, json, 0, "the configuration must be a JSON object.");
            }

            var upstreams = new List<UpstreamOptions>();
            if (!root.TryGetProperty("upstreams", out var list) || list.ValueKind != JsonValueKind.Array || list.GetArrayLength() == 0)
            {
                throw Error(path, json, Offset(json, "upstreams"), "\"upstreams\" must be a non-empty array of { name, command | url }.");
            }

            foreach (var item in list.EnumerateArray())
            {
                upstreams.Add(ReadUpstream(item, path, json));
            }

            var duplicate = upstreams.GroupBy(u => u.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
            if (duplicate is not null)
            {
                throw Error(path, json, Offset(json, duplicate.Key), $"the upstream name '{duplicate.Key}' is used twice.");
            }

            return new GatewayConfigFile(
                OptionalUrl(root, "listen", path, json),
                OptionalUrl(root, "server", path, json),
                OptionalUrl(root, "public_url", path, json),
                upstreams,
                ReadLimits(root, path, json));
        }
    }

    private static UpstreamOptions ReadUpstream(JsonElement item, string path, ReadOnlySpan<byte> json)
    {
        if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("name", out var nameElement) || nameElement.ValueKind != JsonValueKind.String)
        {
            throw Error(path, json, Offset(json, "upstreams"), "each upstream needs a \"name\" (letters, digits, '.', '_', '-').");
        }

        var name = nameElement.GetString()!;
        if (UpstreamNames.Problem(name) is { } problem)
        {
            throw Error(path, json, Offset(json, name), problem);
        }

        var hasCommand = item.TryGetProperty("command", out var command);
        var hasUrl = item.TryGetProperty("url", out var url);
        if (hasCommand == hasUrl)
        {
            throw Error(path, json, Offset(json, name), $"the upstream '{name}' needs exactly one of \"command\" (an array: the program and its arguments) and \"url\".");
        }

        var actions = new Dictionary<string, string>(StringComparer.Ordinal);
        if (item.TryGetProperty("tool_actions", out var toolActions))
        {
            if (toolActions.ValueKind != JsonValueKind.Object)
            {
                throw Error(path, json, Offset(json, "tool_actions"), "\"tool_actions\" must map tool names to \"read\" or \"write\".");
            }

            foreach (var entry in toolActions.EnumerateObject())
            {
                if (entry.Value.ValueKind != JsonValueKind.String || entry.Value.GetString() is not (GatewayTargets.Read or GatewayTargets.Write))
                {
                    throw Error(path, json, Offset(json, entry.Name), $"the action of tool '{entry.Name}' must be \"read\" or \"write\".");
                }

                actions[entry.Name] = entry.Value.GetString()!;
            }
        }

        if (hasUrl)
        {
            if (url.ValueKind != JsonValueKind.String || UpstreamNames.HttpUrl(url.GetString()) is not { } endpoint)
            {
                throw Error(path, json, Offset(json, name), $"the url of upstream '{name}' must be an absolute http(s) URL.");
            }

            return new UpstreamOptions { Name = name, Url = endpoint, ToolActions = actions };
        }

        if (command.ValueKind != JsonValueKind.Array || command.GetArrayLength() == 0
            || command.EnumerateArray().Any(a => a.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(a.GetString())))
        {
            throw Error(path, json, Offset(json, name), $"the command of upstream '{name}' must be a non-empty array of non-empty strings.");
        }

        return new UpstreamOptions { Name = name, Command = command.EnumerateArray().Select(a => a.GetString()!).ToList(), ToolActions = actions };
    }

    private static GatewayLimits ReadLimits(JsonElement root, string path, ReadOnlySpan<byte> json)
    {
        var defaults = new GatewayLimits();
        if (!root.TryGetProperty("limits", out var limits))
        {
            return defaults;
        }

        if (limits.ValueKind != JsonValueKind.Object)
        {
            throw Error(path, json, Offset(json, "limits"), "\"limits\" must be an object.");
        }

        int Number(string name, int fallback, int min, int max, ReadOnlySpan<byte> source)
        {
            if (!limits.TryGetProperty(name, out var value))
            {
                return fallback;
            }

            if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var number) || number < min || number > max)
            {
                throw Error(path, source, Offset(source, name), $"limits.{name} must be an integer from {min} to {max}.");
            }

            return number;
        }

        return new GatewayLimits
        {
            RequestsPerMinutePerCredential = Number("requests_per_minute_per_credential", defaults.RequestsPerMinutePerCredential, 0, 1_000_000, json),
            CallsPerMinutePerTool = Number("calls_per_minute_per_tool", defaults.CallsPerMinutePerTool, 0, 1_000_000, json),
            MaxRequestBytes = Number("max_request_bytes", defaults.MaxRequestBytes, 1024, 64 * 1024 * 1024, json),
            MaxResponseBytes = Number("max_response_bytes", defaults.MaxResponseBytes, 1024, 256 * 1024 * 1024, json),
            UpstreamTimeout = TimeSpan.FromSeconds(Number("upstream_timeout_seconds", (int)defaults.UpstreamTimeout.TotalSeconds, 1, 3600, json)),
            UpstreamStartTimeout = TimeSpan.FromSeconds(Number("upstream_start_timeout_seconds", (int)defaults.UpstreamStartTimeout.TotalSeconds, 1, 3600, json)),
        };
    }

    private static Uri? OptionalUrl(JsonElement root, string name, string path, ReadOnlySpan<byte> json)
    {
        if (!root.TryGetProperty(name, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String && UpstreamNames.HttpUrl(value.GetString()) is { } url
            ? url
            : throw Error(path, json, Offset(json, name), $"\"{name}\" must be an absolute http(s) URL.");
    }

    /// <summary>The byte offset of the first occurrence of a quoted name or value, to point the error at it (0 when absent).</summary>
    private static int Offset(ReadOnlySpan<byte> json, string text)
    {
        var quoted = System.Text.Encoding.UTF8.GetBytes("\"" + text + "\"");
        return Math.Max(0, json.IndexOf(quoted));
    }

    private static GatewayConfigException Error(string path, ReadOnlySpan<byte> json, int offset, string message)
    {
        var line = 1;
        var column = 1;
        for (var i = 0; i < offset && i < json.Length; i++)
        {
            if (json[i] == (byte)'\n')
            {
                line++;
                column = 1;
            }
            else if ((json[i] & 0xC0) != 0x80)
            {
                column++;
            }
        }

        return new GatewayConfigException($"{path}:{line}:{column}: {message}");
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..(end + 1)];
    }
}

/// <summary>The gateway configuration is not usable; the message names where and why.</summary>
internal sealed class GatewayConfigException : Exception
{
    public GatewayConfigException(string message)
        : base(message)
    {
    }

    public GatewayConfigException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public GatewayConfigException()
    {
    }
}
