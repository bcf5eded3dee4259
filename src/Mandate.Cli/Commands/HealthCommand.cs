using System.CommandLine;
using Mandate.Cli.Grammar;

namespace Mandate.Cli.Commands;

/// <summary>
/// <c>mandate health [--ready] [--url URL]</c>: a probe for process supervisors and container runtimes that can only
/// run a command (a Docker-style HEALTHCHECK, a Kubernetes exec probe, systemd). It asks <c>/healthz</c> (the process
/// is up) or, with <c>--ready</c>, <c>/readyz</c> (the store answers and the node may decide), without a credential,
/// and exits 0 when the answer is 2xx and 1 otherwise — unreachable and timed out included, since a health check
/// reads any other code as "unhealthy" anyway and reserves 2.
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
            try
            {
                using var response = await http.GetAsync(probe, context.CancellationToken);
                var body = (await response.Content.ReadAsStringAsync(context.CancellationToken)).Trim();
                if (response.IsSuccessStatusCode)
                {
                    await context.Output.Out.WriteLineAsync(body.Length > 0 ? body : ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture));
                    return ExitCodes.Success;
                }

                await context.Output.ErrorAsync($"{probe} answered {(int)response.StatusCode}: {body}");
                return ExitCodes.Failed;
            }
            catch (HttpRequestException ex)
            {
                await context.Output.ErrorAsync($"{probe} is unreachable: {ex.Message}");
                return ExitCodes.Failed;
            }
            catch (TaskCanceledException) when (!context.CancellationToken.IsCancellationRequested)
            {
                await context.Output.ErrorAsync($"{probe} did not answer within {context.Value(timeout)} s");
                return ExitCodes.Failed;
            }
        });
        return command;
    }
}
