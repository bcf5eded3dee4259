using System.CommandLine;
using Mandate.Cli.Grammar;

namespace Mandate.Cli.Commands;

/// <summary>
/// <c>mandate health [--ready] [--url URL]</c>: a probe for process supervisors and container runtimes that can only
/// run a command (a Docker-style HEALTHCHECK, a Kubernetes exec probe, systemd). It asks <c>/healthz</c> (the process
/// is up) or, with <c>--ready</c>, <c>/readyz</c> (the store answers and the node may decide), without a credential,
/// and exits 0 when the answer is 2xx and 1 otherwise — unreachable and timed out included, since a health check
/// reads any other code as "unhealthy" anyway and reserves 2. With <c>--json</c> it prints one object whatever the
/// outcome (<c>url</c>, <c>healthy</c>, <c>status</c>, the server's <c>answer</c>, and <c>error</c> when there is no
/// answer), with the same exit codes.
/// </summary>
internal static class HealthCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var ready = new Option<bool>("--ready") { Description = "Ask /readyz (ready to decide) instead of /healthz (alive)." };
        var url = new Option<Uri?>("--url")
        {
            Description = "The probe's full URL (default: the server's /healthz, or /readyz with --ready).",
            HelpName = "URL",
            CustomParser = result =>
            {
                var text = result.Tokens.Single().Value;
                if (Uri.TryCreate(text, UriKind.Absolute, out var parsed) && (parsed.Scheme == Uri.UriSchemeHttp || parsed.Scheme == Uri.UriSchemeHttps))
                {
                    return parsed;
                }

                result.AddError($"--url: '{text}' is not an absolute http or https URL");
                return null;
            },
        };
        var timeout = new Option<int>("--timeout")
        {
            Description = "Seconds to wait for the answer (default 5).",
            HelpName = "SECONDS",
            DefaultValueFactory = _ => 5,
        };
        timeout.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > 300)
            {
                result.AddError("--timeout: give a number of seconds from 1 to 300");
            }
        });

        var command = new Command("health", "Probe the server's /healthz (or /readyz with --ready): exit 0 when healthy, 1 otherwise. For container health checks and exec probes.");
        command.Options.Add(ready);
        command.Options.Add(url);
        command.Options.Add(timeout);
        CliAction.Set(command, globals, async context =>
        {
            var probe = context.Value(url) ?? new Uri(AdminApi.ResolveServer(context), context.Value(ready) ? "readyz" : "healthz");
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(context.Value(timeout)) };
            int? status = null;
            var body = string.Empty;
            string? failure;
            try
            {
                using var response = await http.GetAsync(probe, context.CancellationToken);
                status = (int)response.StatusCode;
                body = (await response.Content.ReadAsStringAsync(context.CancellationToken)).Trim();
                failure = response.IsSuccessStatusCode ? null : $"{probe} answered {status}: {body}";
            }
            catch (HttpRequestException ex)
            {
                failure = $"{probe} is unreachable: {ex.Message}";
            }
            catch (TaskCanceledException) when (!context.CancellationToken.IsCancellationRequested)
            {
                failure = $"{probe} did not answer within {context.Value(timeout)} s";
            }

            if (context.Json)
            {
                await context.Output.JsonAsync(new { url = probe.ToString(), healthy = failure is null, status, answer = Answer(body), error = status is null ? failure : null });
            }
            else if (failure is null)
            {
                await context.Output.Out.WriteLineAsync(body.Length > 0 ? body : status!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            if (failure is not null)
            {
                await context.Output.ErrorAsync(failure);
                return ExitCodes.Failed;
            }

            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The server's answer as JSON when it is JSON (the health endpoints answer JSON), else as text; null when empty.</summary>
    private static System.Text.Json.JsonElement? Answer(string body)
    {
        if (body.Length == 0)
        {
            return null;
        }

        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(body);
            return document.RootElement.Clone();
        }
        catch (System.Text.Json.JsonException)
        {
            return System.Text.Json.JsonSerializer.SerializeToElement(body);
        }
    }
}
