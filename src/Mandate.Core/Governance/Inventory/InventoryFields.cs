using System.Text.RegularExpressions;
using Mandate.Core.Identity.Inventory;

namespace Mandate.Core.Governance.Inventory;

/// <summary>The rules every imported field follows, whatever the format; a broken rule is a <see cref="FormatException"/> naming the field.</summary>
internal static partial class InventoryFields
{
    public const int MaxExternalIdLength = 512;
    public const int MaxOwnerLength = 200;
    public const int MaxPurposeLength = 1000;
    public const int MaxCredentials = 64;

    public static readonly IReadOnlyList<string> Statuses = ["active", "disabled"];

    public static readonly IReadOnlyList<string> CredentialKinds = ["access_key", "certificate", "token", "password", "secret"];

    public static string SourceName(string? text)
    {
        var value = text?.Trim() ?? string.Empty;
        return SourcePattern().IsMatch(value) ? value : throw new FormatException("source: 1-32 lower-case letters, digits, '.', '_' or '-'");
    }

    public static string ExternalId(string? text)
    {
        var value = text?.Trim() ?? string.Empty;
        if (value.Length == 0 || value.Length > MaxExternalIdLength || value.Any(char.IsControl))
        {
            throw new FormatException($"external_id: required, at most {MaxExternalIdLength} printable characters");
        }

        return value;
    }

    public static string Kind(string? text)
    {
        var value = string.IsNullOrWhiteSpace(text) ? "service_account" : text.Trim();
        return NhiKinds.TryParse(value, out _) ? value : throw new FormatException($"kind: must be one of {string.Join(", ", NhiKinds.All)}");
    }

    public static string? Owner(string? text, string? fallback)
    {
        var value = string.IsNullOrWhiteSpace(text) ? fallback : text.Trim();
        if (value is { } v && (v.Length > MaxOwnerLength || v.Any(char.IsControl)))
        {
            throw new FormatException($"owner: at most {MaxOwnerLength} printable characters");
        }

        return value;
    }

    public static string? Purpose(string? text)
    {
        var value = string.IsNullOrWhiteSpace(text) ? null : text.Trim();
        return value is { Length: > MaxPurposeLength } ? throw new FormatException($"purpose: at most {MaxPurposeLength} characters") : value;
    }

    public static string Status(string? text)
    {
        var value = string.IsNullOrWhiteSpace(text) ? "active" : text.Trim();
        return Statuses.Contains(value) ? value : throw new FormatException("status: active or disabled");
    }

    public static string Slot(string? text)
    {
        var value = text?.Trim() ?? string.Empty;
        return SlotPattern().IsMatch(value) ? value : throw new FormatException("credential slot: 1-64 letters, digits, '.', '_' or '-'");
    }

    public static string CredentialKind(string? text)
    {
        var value = string.IsNullOrWhiteSpace(text) ? "secret" : text.Trim();
        return CredentialKinds.Contains(value) ? value : throw new FormatException($"credential kind: one of {string.Join(", ", CredentialKinds)}");
    }

    public static string? CredentialId(string? text)
    {
        var value = string.IsNullOrWhiteSpace(text) ? null : text.Trim();
        return value is { } v && (v.Length > 256 || v.Any(char.IsControl)) ? throw new FormatException("credential id: at most 256 printable characters") : value;
    }

    /// <summary>A digest of the secret (<c>sha256:</c> and 64 hex digits), never the secret itself.</summary>
    public static string? Fingerprint(string? text)
    {
        var value = string.IsNullOrWhiteSpace(text) ? null : text.Trim().ToLowerInvariant();
        return value is null || FingerprintPattern().IsMatch(value) ? value : throw new FormatException("fingerprint: 'sha256:' and 64 hex digits (a digest of the secret, never the secret)");
    }

    public static DateTimeOffset? Time(string? text, string field)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return InventoryTimes.TryParse(text.Trim(), out var at) ? at : throw new FormatException($"{field}: '{text}' is not an RFC 3339 time");
    }

    public static string? Short(string? text, string field)
    {
        var value = string.IsNullOrWhiteSpace(text) ? null : text.Trim();
        return value is { } v && (v.Length > 128 || v.Any(char.IsControl)) ? throw new FormatException($"{field}: at most 128 printable characters") : value;
    }

    public static void Label(IDictionary<string, string> labels, string key, string value)
    {
        if (key.Length is 0 or > 63 || !LabelKeyPattern().IsMatch(key))
        {
            throw new FormatException($"labels: '{key}' is not a label key (1-63 letters, digits, '.', '_', '-' or '/')");
        }

        if (value.Length > 256 || value.Any(char.IsControl))
        {
            throw new FormatException($"labels: the value of '{key}' is longer than 256 characters or not printable");
        }

        if (labels.Count >= 32 && !labels.ContainsKey(key))
        {
            throw new FormatException("labels: at most 32");
        }

        labels[key] = value;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,31}$")]
    private static partial Regex SourcePattern();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex SlotPattern();

    [GeneratedRegex("^sha256:[0-9a-f]{64}$")]
    private static partial Regex FingerprintPattern();

    [GeneratedRegex("^[A-Za-z0-9._/-]+$")]
    private static partial Regex LabelKeyPattern();
}
