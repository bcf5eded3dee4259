using System.Diagnostics.CodeAnalysis;

namespace Mandate.Cli.Commands;

/// <summary>The <c>--server</c> of the commands that call a running server's admin API: an absolute http or https URL.</summary>
internal static class ServerUrl
{
    /// <summary>False with a usage message naming the option when <paramref name="text"/> is not an http(s) URL.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out Uri? server, [NotNullWhen(false)] out string? problem)
    {
        if (Uri.TryCreate(text, UriKind.Absolute, out server) && (server.Scheme == Uri.UriSchemeHttp || server.Scheme == Uri.UriSchemeHttps))
        {
            problem = null;
            return true;
        }

        server = null;
        problem = $"--server: '{text}' is not an http(s) URL.";
        return false;
    }
}
