using System.Diagnostics.CodeAnalysis;

namespace Mandate.Core.Identity;

/// <summary>
/// A syntactically valid SPIFFE ID (<c>spiffe://trust-domain/path</c>), parsed exactly as the SPIFFE ID standard and
/// the reference parser do: lowercase trust domain of <c>[a-z0-9._-]</c> (at most 255 bytes), path segments of
/// <c>[A-Za-z0-9._-]</c>, no empty, <c>.</c> or <c>..</c> segment, no percent-encoding, query or fragment. Compared
/// as exact strings.
/// </summary>
internal sealed class SpiffeId : IEquatable<SpiffeId>
{
    public const string Scheme = "spiffe://";

    /// <summary>The longest ID accepted; the standard requires accepting 2048 bytes and advises never generating more.</summary>
    public const int MaxLength = 2048;

    public const int MaxTrustDomainLength = 255;

    private SpiffeId(string value, string trustDomain, string path)
    {
        Value = value;
        TrustDomain = trustDomain;
        Path = path;
    }

    /// <summary>The whole ID as it was parsed.</summary>
    public string Value { get; }

    public string TrustDomain { get; }

    /// <summary>The path with its leading slash, or empty for a trust-domain-only ID.</summary>
    public string Path { get; }

    /// <summary>Whether the ID has a path; workloads (and X.509 leaf SVIDs) need one.</summary>
    public bool HasPath => Path.Length > 0;

    public static SpiffeId Parse(string value) =>
        TryParse(value, out var id, out var error) ? id : throw new FormatException(error);

    public static bool TryParse(string? value, [NotNullWhen(true)] out SpiffeId? id) => TryParse(value, out id, out _);

    public static bool TryParse(string? value, [NotNullWhen(true)] out SpiffeId? id, [NotNullWhen(false)] out string? error)
    {
        id = null;
        if (string.IsNullOrEmpty(value))
        {
            error = "a SPIFFE ID cannot be empty";
            return false;
        }

        if (!value.StartsWith(Scheme, StringComparison.Ordinal))
        {
            error = "a SPIFFE ID must start with 'spiffe://' (lowercase)";
            return false;
        }

        if (value.Length > MaxLength)
        {
            error = $"a SPIFFE ID is limited to {MaxLength} bytes";
            return false;
        }

        var rest = value.AsSpan(Scheme.Length);
        var slash = rest.IndexOf('/');
        var trustDomain = slash < 0 ? rest : rest[..slash];
        var path = slash < 0 ? [] : rest[slash..];
        if (!TryValidateTrustDomain(trustDomain, out error))
        {
            return false;
        }

        if (!TryValidatePath(path, out error))
        {
            return false;
        }

        id = new SpiffeId(value, trustDomain.ToString(), path.ToString());
        return true;
    }

    /// <summary>Validates a bare trust domain name (as configured, or as found in an ID).</summary>
    public static bool IsValidTrustDomain(string? trustDomain, [NotNullWhen(false)] out string? error) =>
        TryValidateTrustDomain(trustDomain, out error);

    /// <summary>The ID <c>spiffe://trustDomain/path-without-leading-slash</c>, validated.</summary>
    public static bool TryCreate(string trustDomain, string path, [NotNullWhen(true)] out SpiffeId? id, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(path);
        var normalized = path.Length == 0 || path[0] == '/' ? path : "/" + path;
        return TryParse(Scheme + trustDomain + normalized, out id, out error);
    }

    public bool IsMemberOf(string trustDomain) => string.Equals(TrustDomain, trustDomain, StringComparison.Ordinal);

    public bool Equals(SpiffeId? other) => other is not null && string.Equals(Value, other.Value, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is SpiffeId other && Equals(other);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Value);

    public override string ToString() => Value;

    private static bool TryValidateTrustDomain(ReadOnlySpan<char> trustDomain, [NotNullWhen(false)] out string? error)
    {
        if (trustDomain.IsEmpty)
        {
            error = "the trust domain is missing";
            return false;
        }

        foreach (var c in trustDomain)
        {
            if (!IsTrustDomainChar(c))
            {
                error = "trust domain characters are limited to lowercase letters, digits, dots, dashes and underscores";
                return false;
            }
        }

        // Every accepted character is ASCII, so characters and bytes count alike.
        if (trustDomain.Length > MaxTrustDomainLength)
        {
            error = $"the trust domain is limited to {MaxTrustDomainLength} bytes";
            return false;
        }

        error = null;
        return true;
    }

    private static bool TryValidatePath(ReadOnlySpan<char> path, [NotNullWhen(false)] out string? error)
    {
        error = null;
        if (path.IsEmpty)
        {
            return true;
        }

        // path starts with '/'; walk its segments.
        var remaining = path[1..];
        while (true)
        {
            var next = remaining.IndexOf('/');
            var segment = next < 0 ? remaining : remaining[..next];
            if (segment.IsEmpty)
            {
                error = next < 0 ? "the path cannot end with a slash" : "the path cannot contain empty segments";
                return false;
            }

            if (segment is "." || segment is "..")
            {
                error = "the path cannot contain '.' or '..' segments";
                return false;
            }

            foreach (var c in segment)
            {
                if (!IsPathChar(c))
                {
                    error = "path segment characters are limited to letters, digits, dots, dashes and underscores";
                    return false;
                }
            }

            if (next < 0)
            {
                return true;
            }

            remaining = remaining[(next + 1)..];
        }
    }

    private static bool IsTrustDomainChar(char c) => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '-' or '_';

    private static bool IsPathChar(char c) => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '.' or '-' or '_';
}
