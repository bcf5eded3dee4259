using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Mandate.Cli.Grammar;

/// <summary>
/// The one HTTP connection of every command that calls the server: <c>--server</c> (else <c>$MANDATE_SERVER</c>, else
/// <see cref="GlobalOptions.DefaultServer"/>) and one credential: a workload's JWT-SVID when the command takes one,
/// else the admin token from <c>--token-file</c>, <c>$MANDATE_TOKEN</c> or <c>./.mandate/admin.token</c>. Answers are
/// JSON; failures become <see cref="CliException"/>s with the exit code the grammar gives them (3 for unreachable or
/// unauthorised, 1 for a refusal).
/// </summary>
internal sealed class AdminApi : IDisposable
{
    private readonly HttpClient client;

    private AdminApi(HttpClient client, Uri server)
    {
        this.client = client;
        Server = server;
    }

    public Uri Server { get; }

    /// <summary>The server URL the command line asks for; a usage error when it is not an absolute http(s) URL.</summary>
    public static Uri ResolveServer(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var given = context.Parse.GetValue(context.Globals.Server);
        var source = "--server";
        if (string.IsNullOrWhiteSpace(given))
        {
            given = Environment.GetEnvironmentVariable(GlobalOptions.ServerVariable);
            source = "$" + GlobalOptions.ServerVariable;
        }

        if (string.IsNullOrWhiteSpace(given))
        {
            return new Uri(GlobalOptions.DefaultServer + "/");
        }

        if (!Uri.TryCreate(given, UriKind.Absolute, out var server) || (server.Scheme != Uri.UriSchemeHttp && server.Scheme != Uri.UriSchemeHttps))
        {
            throw CliException.Usage($"{source}: '{given}' is not an http(s) URL.");
        }

        return server.AbsoluteUri.EndsWith('/') ? server : new Uri(server.AbsoluteUri + "/");
    }

    /// <summary>
    /// Connects with <paramref name="bearer"/> (a workload credential already read from its file) or, when null, the
    /// admin token. No credential found anywhere is exit 3 (nothing the server would accept); a named token file that
    /// cannot be read is a usage error.
    /// </summary>
    public static async Task<AdminApi> ConnectAsync(CliContext context, string? bearer = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        var server = ResolveServer(context);
        return Create(server, bearer ?? await AdminTokenAsync(context), timeout);
    }

    /// <summary>A connection without a credential, for the endpoints anyone may read (<c>/v1/audit/keys</c>).</summary>
    public static AdminApi ConnectAnonymous(CliContext context) => Create(ResolveServer(context), null, null);

    private static AdminApi Create(Uri server, string? credential, TimeSpan? timeout)
    {
        var client = new HttpClient { BaseAddress = server, Timeout = timeout ?? TimeSpan.FromSeconds(60) };
        if (credential is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", credential);
        }

        client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("mandate-cli", ThisAssembly.Version));
        return new AdminApi(client, server);
    }

    /// <summary>The admin token: <c>--token-file</c>, then <c>$MANDATE_TOKEN</c>, then <c>./.mandate/admin.token</c>.</summary>
    public static async Task<string> AdminTokenAsync(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Parse.GetValue(context.Globals.TokenFile) is { } file)
        {
            return await ReadSecretFileAsync(file, "--token-file", context.CancellationToken);
        }

        if (Environment.GetEnvironmentVariable(GlobalOptions.TokenVariable) is { } fromEnvironment && !string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return fromEnvironment.Trim();
        }

        if (File.Exists(GlobalOptions.DefaultTokenFile))
        {
            return await ReadSecretFileAsync(new FileInfo(GlobalOptions.DefaultTokenFile), GlobalOptions.DefaultTokenFile, context.CancellationToken);
        }

        throw CliException.Unavailable(
            $"no admin token: pass --token-file FILE, set {GlobalOptions.TokenVariable}, or run from the directory holding .mandate/admin.token.");
    }

    /// <summary>A credential file's content, trimmed; a usage error naming <paramref name="option"/> when it cannot be read or is empty.</summary>
    public static async Task<string> ReadSecretFileAsync(FileInfo file, string option, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        string text;
        try
        {
            text = await File.ReadAllTextAsync(file.FullName, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw CliException.Usage($"{option}: cannot read '{file.FullName}': {ex.Message}");
        }

        return string.IsNullOrWhiteSpace(text) ? throw CliException.Usage($"{option}: '{file.FullName}' is empty.") : text.Trim();
    }

    public Task<JsonElement> GetAsync(string path) => SendAsync(HttpMethod.Get, path, null, CancellationToken.None);

    public Task<JsonElement> GetAsync(string path, CancellationToken cancellationToken) => SendAsync(HttpMethod.Get, path, null, cancellationToken);

    public Task<JsonElement> PostAsync(string path, object? body, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, path, body is null ? null : JsonContent.Create(body, options: CliOutput.ApiJson), cancellationToken);

    public Task<JsonElement> PutAsync(string path, object body, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Put, path, JsonContent.Create(body, options: CliOutput.ApiJson), cancellationToken);

    /// <summary>Sends a form (the OAuth endpoints take <c>application/x-www-form-urlencoded</c>).</summary>
    public Task<JsonElement> PostFormAsync(string path, IEnumerable<KeyValuePair<string, string>> form, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, path, new FormUrlEncodedContent(form), cancellationToken);

    /// <summary>One request; the JSON answer on success, a <see cref="CliException"/> otherwise.</summary>
    public async Task<JsonElement> SendAsync(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(path.TrimStart('/'), UriKind.Relative)) { Content = content };
        using var response = await SendRawAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            using var document = JsonDocument.Parse(text.Length == 0 ? "{}" : text);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw CliException.Failed($"{Server}: answered {(int)response.StatusCode} without JSON.");
        }
    }

    /// <summary>A GET whose answer is streamed (exports); the caller disposes the response.</summary>
    public async Task<HttpResponseMessage> GetStreamAsync(string path, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path.TrimStart('/'), UriKind.Relative));
        return await SendRawAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }

    public void Dispose() => client.Dispose();

    private async Task<HttpResponseMessage> SendRawAsync(HttpRequestMessage request, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, completion, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw CliException.Unavailable($"cannot reach {Server}: {ex.Message}", ex);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw CliException.Unavailable($"{Server} did not answer within {client.Timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s.", ex);
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            throw await RefusalAsync(response, cancellationToken);
        }
    }

    /// <summary>A problem-details answer as one line (<c>code: detail</c>) plus its listed errors, with the grammar's exit code.</summary>
    private async Task<CliException> RefusalAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        string? code = null, detail = null;
        var details = new List<string>();
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                code = Text(root, "code") ?? Text(root, "error");
                detail = Text(root, "detail") ?? Text(root, "error_description") ?? Text(root, "title");
                if (root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array)
                {
                    details.AddRange(errors.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText()));
                }
            }
        }
        catch (JsonException)
        {
            detail = text.Length > 200 ? text[..200] + "…" : text;
        }

        var summary = string.Create(CultureInfo.InvariantCulture, $"{code ?? status.ToString(CultureInfo.InvariantCulture)}: {(string.IsNullOrWhiteSpace(detail) ? response.ReasonPhrase : detail)}");
        // 401 is always the credential; a 403 only when it says the credential lacks the right ("forbidden"), not when
        // the server refused the operation for a reason of its own (a policy denying a task is an operation failure).
        if (response.StatusCode == HttpStatusCode.Unauthorized || (response.StatusCode == HttpStatusCode.Forbidden && code is null or "forbidden"))
        {
            return new CliException(ExitCodes.Unavailable, $"{Server} refused the credential ({status.ToString(CultureInfo.InvariantCulture)}) {summary}") { Details = details };
        }

        return new CliException(ExitCodes.Failed, summary) { Details = details };
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
