using System.Data.Common;
using System.CommandLine;
using System.Text.Json;
using Mandate.Cli.Grammar;
using Mandate.Core.Audit;
using Mandate.Core.Storage;
using Mandate.Server;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Cli.Commands;

/// <summary>What the audit commands share offline: opening a store read-only in spirit (never migrating it), describing store failures, key pinning.</summary>
internal static class AuditCliSupport
{
    public const string DefaultStore = "sqlite:.mandate/mandate.db";

    /// <summary>The <c>--store</c> that makes an audit command read a database itself instead of asking the server.</summary>
    public static Option<string?> StoreOption() =>
        new("--store")
        {
            Description = "Read this store offline instead of asking the server: " + StoreLocation.AcceptedForms + " (the demo's is " + DefaultStore + ").",
            HelpName = "STORE",
        };

    /// <summary>Opens the store named by <paramref name="text"/> without creating or migrating anything; a <see cref="CliException"/> when it cannot.</summary>
    public static IMandateStore Open(string text)
    {
        if (!StoreLocation.TryParse(text, out var location, out var problem))
        {
            throw CliException.Usage("--store: " + problem);
        }

        if (location!.Kind == StoreKind.Sqlite && !File.Exists(location.Target))
        {
            throw CliException.Failed($"--store: the SQLite database '{Path.GetFullPath(location.Target)}' does not exist.");
        }

        return StoreRegistration.Open(location);
    }

    /// <summary>A store location as it may be shown: a PostgreSQL connection string is hidden (it may hold a password).</summary>
    public static string Shown(string store) =>
        store.StartsWith("postgres", StringComparison.OrdinalIgnoreCase) ? "postgres:(connection string hidden)" : store;

    /// <summary>Turns store and driver failures into one operator-readable line.</summary>
    public static string? Describe(Exception exception) => exception switch
    {
        StoreException { Fault: StoreFault.Schema } store
            => "the store has no audit ledger tables (it was never migrated by 'mandate serve' of this version): " + store.Message,
        StoreException store => store.Message,
        DbException db when db.Message.Contains("no such table", StringComparison.OrdinalIgnoreCase) || db.Message.Contains("does not exist", StringComparison.OrdinalIgnoreCase)
            => "the store has no audit ledger tables (it was never migrated by 'mandate serve' of this version): " + db.Message,
        DbException db => "the store cannot be read: " + db.Message,
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

    /// <summary>Runs <paramref name="work"/> on the store named by <paramref name="store"/>, store and driver failures as one line (exit 1).</summary>
    public static async Task<T> WithStoreAsync<T>(string store, Func<IMandateStore, Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        var opened = Open(store);
        await using (opened)
        {
            try
            {
                return await work(opened);
            }
            catch (Exception ex) when (Describe(ex) is { } described)
            {
                throw CliException.Failed(described);
            }
            catch (AuditChainBrokenException ex)
            {
                throw CliException.Failed(ex.Message);
            }
        }
    }

    /// <summary>The pinned keys of <c>--key</c>, failures naming the file (and line and column for JSON syntax).</summary>
    public static IReadOnlyList<AuditPublicKey> ReadKeysOrFail(FileInfo keyFile)
    {
        ArgumentNullException.ThrowIfNull(keyFile);
        try
        {
            return ReadKeys(keyFile);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw CliException.Failed($"--key: {keyFile.FullName}: {ex.Message}");
        }
        catch (JsonException ex)
        {
            throw CliException.Failed(JsonErrors.Describe(keyFile.FullName, ex) + ".");
        }
        catch (FormatException ex)
        {
            throw CliException.Failed($"{keyFile.FullName}: not a JWK or JWK Set: {ex.Message}.");
        }
    }
}
