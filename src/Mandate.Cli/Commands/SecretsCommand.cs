using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mandate.Cli.Grammar;
using Mandate.Core.Secrets;

namespace Mandate.Cli.Commands;

/// <summary>
/// <c>mandate secrets scan PATH [--history] [--register]</c>: finds secrets in a directory (and every commit of its git
/// repository), reports each once by keyed fingerprint with every location, and with <c>--register</c> records them in
/// the server's inventory (<c>POST /v1/secrets/scans</c>). Raw values never leave this process: not on stdout, not in
/// <c>--json</c>, not to the server. Exit 1 when a secret was found (a CI gate), 0 when none.
/// </summary>
internal static class SecretsCommand
{
    /// <summary>The local fingerprint key's file under the user's configuration directory.</summary>
    public const string LocalKeyFileName = "secrets-scan.key";

    public static Command Create(GlobalOptions globals) => CliAction.Group("secrets", "Find secrets in code and history, and track them in the inventory.", Scan(globals));

    private static Command Scan(GlobalOptions globals)
    {
        var path = new Argument<string>("path") { Description = "The directory (or file) to scan." };
        var history = new Option<bool>("--history") { Description = "Also scan every commit of the git repository holding PATH (deleted secrets count)." };
        var register = new Option<bool>("--register") { Description = "Record the secrets in the server's inventory (fingerprints and locations only); a rescan of the same source tracks removal and reappearance." };
        var source = new Option<string?>("--source") { Description = "The name the secrets are registered under (default: the git remote origin without credentials, else the directory's full path).", HelpName = "NAME" };
        var owner = new Option<string?>("--owner") { Description = "With --register: the owner of the secrets no imported identity claims.", HelpName = "OWNER" };
        var keyFile = new Option<FileInfo?>("--key-file") { Description = "The fingerprint key for a local scan (default ~/.config/mandate/secrets-scan.key, created once, mode 0600).", HelpName = "FILE" };
        var maxFile = new Option<long?>("--max-file-bytes") { Description = "Skip files larger than this (default 8 MiB).", HelpName = "BYTES" };
        var command = new Command("scan", "Scan a directory (and with --history its git history) for secrets.") { path, history, register, source, owner, keyFile, maxFile };
        CliAction.Set(command, globals, async context =>
        {
            var root = Path.GetFullPath(context.Value(path)!);
            if (!Directory.Exists(root) && !File.Exists(root))
            {
                throw CliException.Usage($"{root}: no such file or directory.");
            }

            var withHistory = context.Value(history);
            if (withHistory)
            {
                var (inside, message) = await GitHistory.ProbeAsync(Directory.Exists(root) ? root : Path.GetDirectoryName(root)!, context.CancellationToken);
                if (!inside)
                {
                    throw CliException.Usage($"{root}: not inside a git repository; --history needs one ({message}).");
                }
            }

            if (!context.Value(register) && (context.Given(source) || context.Given(owner)))
            {
                throw CliException.Usage("--source and --owner go with --register.");
            }

            if (context.Value(maxFile) is <= 0)
            {
                throw CliException.Usage("--max-file-bytes: must be positive.");
            }

            var options = new SecretScanOptions { MaxFileBytes = context.Value(maxFile) ?? new SecretScanOptions().MaxFileBytes };
            AdminApi? api = null;
            try
            {
                byte[] key;
                if (context.Value(register))
                {
                    api = await context.ConnectAsync(timeout: TimeSpan.FromMinutes(5));
                    var answer = await api.GetAsync("v1/secrets/fingerprint-key", context.CancellationToken);
                    key = Convert.FromBase64String(answer.GetProperty("key").GetString()!);
                }
                else
                {
                    key = await LocalKeyAsync(context.Value(keyFile), context.CancellationToken);
                }

                var scanner = new SecretScanner(new SecretFingerprinter(key), options);
                CryptographicOperations.ZeroMemory(key);
                var result = withHistory
                    ? await scanner.ScanWithHistoryAsync(root, context.CancellationToken)
                    : scanner.ScanTree(root, context.CancellationToken);
                var document = Document(result);
                if (api is not null)
                {
                    var name = context.Value(source) ?? await DefaultSourceAsync(root, context.CancellationToken);
                    var body = new JsonObject
                    {
                        ["source"] = name,
                        ["history"] = withHistory,
                        ["owner"] = context.Value(owner),
                        ["secrets"] = document["secrets"]!.DeepClone(),
                    };
                    var registered = await api.PostAsync("v1/secrets/scans", body, context.CancellationToken);
                    Merge(document, registered);
                }

                if (context.Json)
                {
                    await context.Output.JsonAsync(JsonSerializer.SerializeToElement(document));
                }
                else
                {
                    await PrintAsync(context, document, result);
                }

                return result.Secrets.Count == 0 ? ExitCodes.Success : ExitCodes.Failed;
            }
            finally
            {
                api?.Dispose();
            }
        });
        return command;
    }

    private static JsonObject Document(SecretScanResult result)
    {
        var secrets = new JsonArray();
        foreach (var secret in result.Secrets)
        {
            var locations = new JsonArray();
            foreach (var l in secret.Locations)
            {
                var location = new JsonObject { ["file"] = l.File, ["line"] = l.Line, ["commit"] = l.Commit };
                if (l.Date is { } date)
                {
                    location["date"] = date.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
                }

                locations.Add(location);
            }

            var entry = new JsonObject { ["fingerprint"] = secret.Fingerprint, ["kind"] = secret.Kind, ["confidence"] = secret.Confidence };
            if (secret.CredentialId is { } id)
            {
                entry["credential_id"] = id;
            }

            entry["locations"] = locations;
            secrets.Add(entry);
        }

        return new JsonObject
        {
            ["secrets"] = secrets,
            ["scanned"] = new JsonObject
            {
                ["files"] = result.Files,
                ["bytes"] = result.Bytes,
                ["skipped"] = result.Skipped,
                ["commits"] = result.Commits,
                ["elapsed_ms"] = Math.Round(result.Elapsed.TotalMilliseconds, 1),
                ["cpu_ms"] = Math.Round(result.CpuTime.TotalMilliseconds, 1),
            },
        };
    }

    /// <summary>Adds what the server said of each secret (status, identity, owner) and what it marked removed.</summary>
    private static void Merge(JsonObject document, JsonElement registered)
    {
        var byFingerprint = registered.GetProperty("secrets").EnumerateArray().ToDictionary(s => s.GetProperty("fingerprint").GetString()!, StringComparer.Ordinal);
        foreach (var node in document["secrets"]!.AsArray())
        {
            var secret = node!.AsObject();
            if (byFingerprint.TryGetValue(secret["fingerprint"]!.GetValue<string>(), out var answer))
            {
                foreach (var name in new[] { "status", "identity", "owner" })
                {
                    if (answer.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String)
                    {
                        secret[name] = value.GetString();
                    }
                }
            }
        }

        document["registered"] = JsonNode.Parse(registered.GetRawText())!.AsObject().Aggregate(new JsonObject(), (o, p) =>
        {
            if (p.Key != "secrets")
            {
                o[p.Key] = p.Value?.DeepClone();
            }

            return o;
        });
    }

    private static async Task PrintAsync(CliContext context, JsonObject document, SecretScanResult result)
    {
        var rows = new List<IReadOnlyList<string?>>();
        foreach (var node in document["secrets"]!.AsArray())
        {
            var s = node!.AsObject();
            var locations = s["locations"]!.AsArray().Select(l =>
            {
                var text = $"{l!["file"]!.GetValue<string>()}:{l["line"]!.GetValue<int>().ToString(CultureInfo.InvariantCulture)}";
                return l["commit"] is { } commit ? $"{text}@{commit.GetValue<string>()[..12]}" : text;
            }).ToList();
            rows.Add([
                s["fingerprint"]!.GetValue<string>()[..(SecretFingerprinter.Prefix.Length + 16)],
                s["kind"]!.GetValue<string>(),
                s["status"]?.GetValue<string>() ?? s["confidence"]!.GetValue<string>(),
                s["identity"]?.GetValue<string>() ?? s["credential_id"]?.GetValue<string>(),
                string.Join(", ", locations.Take(3)) + (locations.Count > 3 ? $" (+{(locations.Count - 3).ToString(CultureInfo.InvariantCulture)})" : string.Empty),
            ]);
        }

        if (rows.Count > 0)
        {
            context.Output.Table(["FINGERPRINT", "KIND", document.ContainsKey("registered") ? "STATUS" : "CONFIDENCE", "IDENTITY", "LOCATIONS"], rows);
        }

        var megabytes = result.Bytes / 1_000_000.0;
        var perCore = result.CpuTime.TotalSeconds > 0 ? megabytes / result.CpuTime.TotalSeconds : 0;
        await context.Output.LineAsync(string.Create(CultureInfo.InvariantCulture,
            $"{result.Secrets.Count} secret(s) in {result.Files} file(s){(result.Commits > 0 ? $" and {result.Commits} commit(s)" : string.Empty)}; {megabytes:0.0} MB in {result.Elapsed.TotalSeconds:0.00} s ({perCore:0} MB/s per core), {result.Skipped} skipped"));
        if (document["registered"] is JsonObject registered)
        {
            await context.Output.LineAsync(string.Create(CultureInfo.InvariantCulture,
                $"registered under {registered["source"]}: {registered["added"]} new, {registered["seen"]} seen again, {registered["reappeared"]} reappeared, {registered["removed"]} removed"));
        }
    }

    /// <summary>
    /// The local key: the named file, else one created once under the user's configuration directory with mode 0600,
    /// so that repeated local scans give comparable fingerprints and nobody else on the machine can confirm a guess.
    /// </summary>
    internal static async Task<byte[]> LocalKeyAsync(FileInfo? given, CancellationToken cancellationToken)
    {
        if (given is not null)
        {
            var text = await AdminApi.ReadSecretFileAsync(given, "--key-file", cancellationToken);
            try
            {
                var key = Convert.FromBase64String(text);
                return key.Length >= 16 ? key : throw CliException.Usage($"--key-file: '{given.FullName}' holds fewer than 16 bytes.");
            }
            catch (FormatException)
            {
                throw CliException.Usage($"--key-file: '{given.FullName}' is not base64.");
            }
        }

        var home = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME") is { Length: > 0 } xdg ? xdg : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
        var file = Path.Combine(home, "mandate", LocalKeyFileName);
        try
        {
            return await ReadOrCreateLocalKeyAsync(file, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            throw new CliException(ExitCodes.Failed, $"the local fingerprint key {file} cannot be read or created ({e.Message}); pass --key-file FILE (32 random bytes, base64).");
        }
    }

    private static async Task<byte[]> ReadOrCreateLocalKeyAsync(string file, CancellationToken cancellationToken)
    {
        if (!File.Exists(file))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            var fresh = RandomNumberGenerator.GetBytes(SecretFingerprinter.KeyLength);
            try
            {
                var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
                if (!OperatingSystem.IsWindows())
                {
                    options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                }

                var stream = new FileStream(file, options);
                await using (stream.ConfigureAwait(false))
                {
                    await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(Convert.ToBase64String(fresh) + "\n"), cancellationToken);
                }
            }
            catch (IOException) when (File.Exists(file))
            {
                // Another scan created it first: use theirs.
            }
        }

        return Convert.FromBase64String((await File.ReadAllTextAsync(file, cancellationToken)).Trim());
    }

    /// <summary>The git remote origin without any user or password in it, else the directory's full path.</summary>
    private static async Task<string> DefaultSourceAsync(string root, CancellationToken cancellationToken)
    {
        var directory = Directory.Exists(root) ? root : Path.GetDirectoryName(root)!;
        try
        {
            var info = new System.Diagnostics.ProcessStartInfo("git") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            info.ArgumentList.Add("remote");
            info.ArgumentList.Add("get-url");
            info.ArgumentList.Add("origin");
            using var process = System.Diagnostics.Process.Start(info)!;
            var url = (await process.StandardOutput.ReadToEndAsync(cancellationToken)).Trim();
            await process.WaitForExitAsync(cancellationToken);
            if (process.ExitCode == 0 && url.Length > 0)
            {
                return Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.UserInfo.Length > 0
                    ? new UriBuilder(uri) { UserName = string.Empty, Password = string.Empty }.Uri.AbsoluteUri
                    : url;
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No git: the path names the source.
        }

        return root;
    }
}
