using System.Data.Common;
using System.CommandLine;
using System.Text.Json;
using Mandate.Core.Audit;
using Mandate.Core.Storage;
using Mandate.Server;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Cli.Commands;

/// <summary>What the audit commands share: opening a store read-only in spirit (never migrating it), the admin API over --server, key pinning.</summary>
internal static class AuditCliSupport
{
    public const string DefaultStore = "sqlite:.mandate/mandate.db";

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
    };

    /// <summary>The <c>--store</c> the audit commands read.</summary>
    public static Option<string?> StoreOption() =>
        new("--store") { Description = "The store: " + StoreLocation.AcceptedForms + ". Default: " + DefaultStore + ".", HelpName = "STORE" };

    /// <summary>Opens the store named by <paramref name="text"/> without creating or migrating anything; null and a message when it cannot.</summary>
    public static (IMandateStore? Store, string? Problem) Open(string? text)
    {
        if (!StoreLocation.TryParse(text ?? DefaultStore, out var location, out var problem))
        {
            return (null, "--store: " + problem);
        }

        if (location!.Kind == StoreKind.Sqlite && !File.Exists(location.Target))
        {
            return (null, $"--store: the SQLite database '{Path.GetFullPath(location.Target)}' does not exist.");
        }

        return (StoreRegistration.Open(location), null);
    }

    /// <summary>Turns store and driver failures into one operator-readable line.</summary>
    public static string? Describe(Exception exception) => exception switch
    {
        StoreException store => store.Message,
        DbException db when db.Message.Contains("no such table", StringComparison.OrdinalIgnoreCase) || db.Message.Contains("does not exist", StringComparison.OrdinalIgnoreCase)
            => "the store has no audit ledger tables (it was never migrated by 'mandate serve' of this version): " + db.Message,
        DbException db => "the store cannot be read: " + db.Message,
        HttpRequestException http => "the server cannot be reached: " + http.Message,
        _ => null,
    };

    /// <summary>Reads trusted keys from a JWK or JWK Set file; throws IO errors, <see cref="JsonException"/> and <see cref="FormatException"/> for the caller to name the file.</summary>
    public static IReadOnlyList<AuditPublicKey> ReadKeys(FileInfo file)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(file.FullName));
        var root = document.RootElement;
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("keys", out var keys) && keys.ValueKind == JsonValueKind.Array)
        {
            return keys.EnumerateArray().Select(AuditPublicKey.FromJwk).ToList();
        }

        return [AuditPublicKey.FromJwk(root)];
    }

    /// <summary>The <c>--server</c> (and admin token) of an audit command that otherwise reads a store.</summary>
    public static AdminConnection AddServer(Command command, string description) =>
        AdminConnection.AddTo(command, description + " (token: --token, --token-file, MANDATE_TOKEN or .mandate/admin.token).", serverDefaults: false);

    /// <summary>GETs an admin path and prints the body; exit 0 on success, 1 with the server's answer otherwise.</summary>
    public static async Task<int> PrintAdminGetAsync(ParseResult parse, AdminConnection connection, string path, CancellationToken cancellationToken)
    {
        var (connected, exitCode) = await connection.ConnectAsync(parse, cancellationToken, timeout: TimeSpan.FromSeconds(60));
        if (connected is null)
        {
            return exitCode;
        }

        using var client = connected;
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        using var response = await client.GetAsync(path, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            await error.WriteLineAsync($"error: the server answered {(int)response.StatusCode}: {text}");
            return 1;
        }

        await output.WriteLineAsync(text);
        return 0;
    }
}
