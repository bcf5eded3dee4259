using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;

namespace Mandate.Core.Secrets;

/// <summary>
/// Finds secrets in a text. Speed comes from a prefilter: vectorised searches for the anchors (a vendor prefix, a
/// secret-like name, <c>-----BEGIN</c>, a database scheme; see <see cref="AnchorCursor"/>) run over the whole text; a
/// secret-like name with no ':' or '=' after it is settled at the word, and only the lines left are handed to the
/// (source-generated, bounded) regular expressions. A line longer than <see cref="MaxWindow"/> (minified
/// code) is matched in a window around the anchor. Detections on a line claim their span in priority order, so a value
/// a vendor detector reports is not reported again by the generic one.
/// </summary>
internal static partial class SecretDetectors
{
    /// <summary>The longest stretch of a line the expressions see at once.</summary>
    public const int MaxWindow = 4096;

    // The furthest a PEM block's END line may be from its BEGIN line.
    private const int MaxPemLength = 64 * 1024;

    // The anchors, in three searches (see AnchorCursor). Vendor prefixes as written: every expression they start is
    // case-sensitive, and a case-sensitive search verifies a candidate with a plain comparison.
    private static readonly SearchValues<string> CaseSensitiveAnchors = SearchValues.Create(
    [
        "AKIA", "ASIA", "ABIA", "ACCA", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_",
        "glpat-", "gldt-", "glrt-", "glptt-", "gloas-", "glft-", "glcbt-", "glagent-", "glimt-", "glsoat-", "GR1348941",
        "xox", "hooks.slack.com", "_live_", "-----BEGIN", "eyJ",
    ],
        StringComparison.Ordinal);

    // Case-insensitive: a name like PASSWORD matches as password does; connection-string keys and database schemes are
    // matched so by their expressions too. "token" is searched on its own.
    private static readonly SearchValues<string> CaseInsensitiveAnchors = SearchValues.Create(
    [
        "AccountKey=", "SharedAccessKey=", "postgres", "mysql", "mariadb", "mongodb", "redis", "amqp", "mssql", "sqlserver", "cockroachdb",
        "secret", "passwd", "password", "pwd", "apikey", "api_key", "api-key", "api.key", "access_key", "accesskey",
        "access-key", "access.key", "private_key", "privatekey", "private-key", "private.key", "auth_key", "authkey", "auth-key",
        "auth.key", "credential",
    ],
        StringComparison.OrdinalIgnoreCase);

    private static readonly SearchValues<string> TokenWord = SearchValues.Create(["token"], StringComparison.OrdinalIgnoreCase);

    // Per family, the literals its expression cannot match without: a line runs only the expressions whose literal it
    // holds (most lines the prefilter lands on hold only a secret-like name).
    private static readonly SearchValues<string> GitHubAnchors = SearchValues.Create(["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"], StringComparison.Ordinal);
    private static readonly SearchValues<string> GitLabAnchors = SearchValues.Create(["glpat-", "gldt-", "glrt-", "glptt-", "gloas-", "glft-", "glcbt-", "glagent-", "glimt-", "glsoat-", "GR1348941"], StringComparison.Ordinal);
    private static readonly SearchValues<string> AwsIdAnchors = SearchValues.Create(["AKIA", "ASIA", "ABIA", "ACCA"], StringComparison.Ordinal);
    private static readonly SearchValues<string> DatabaseAnchors = SearchValues.Create(["postgres", "mysql", "mariadb", "mongodb", "redis", "amqp", "mssql", "sqlserver", "cockroachdb"], StringComparison.OrdinalIgnoreCase);
    private static readonly SearchValues<string> VendorAnchors = SearchValues.Create(
    [
        "AKIA", "ASIA", "ABIA", "ACCA", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_",
        "glpat-", "gldt-", "glrt-", "glptt-", "gloas-", "glft-", "glcbt-", "glagent-", "glimt-", "glsoat-", "GR1348941",
        "xox", "hooks.slack.com", "_live_", "AccountKey=", "SharedAccessKey=", "-----BEGIN", "eyJ",
        "postgres", "mysql", "mariadb", "mongodb", "redis", "amqp", "mssql", "sqlserver", "cockroachdb",
    ],
        StringComparison.OrdinalIgnoreCase);

    // Single words searched case-insensitively: Contains(word, OrdinalIgnoreCase) is a character-by-character loop under
    // invariant globalization (this project's setting), a SearchValues search is vectorised.
    private static readonly SearchValues<string> SecretWord = SearchValues.Create(["secret"], StringComparison.OrdinalIgnoreCase);
    private static readonly SearchValues<string> PublicWord = SearchValues.Create(["public"], StringComparison.OrdinalIgnoreCase);
    private static readonly SearchValues<string> AccountKeyWord = SearchValues.Create(["AccountKey="], StringComparison.OrdinalIgnoreCase);
    private static readonly SearchValues<string> SharedAccessKeyWord = SearchValues.Create(["SharedAccessKey="], StringComparison.OrdinalIgnoreCase);

    // The longest vendor anchor's length: a vendor anchor starting at a position lies within this many characters.
    private const int LongestVendorAnchor = 16;

    private static readonly SearchValues<string> NameAnchors = SearchValues.Create(
        ["secret", "passwd", "password", "pwd", "token", "apikey", "api_key", "api-key", "api.key", "access_key", "accesskey", "access-key", "access.key",
         "private_key", "privatekey", "private-key", "private.key", "auth_key", "authkey", "auth-key", "auth.key", "credential"],
        StringComparison.OrdinalIgnoreCase);

    /// <summary>Reports every secret in <paramref name="text"/> to <paramref name="sink"/>.</summary>
    // Fully optimised from the first call: a scan is one pass over many files in a short-lived process, and tiered
    // compilation's instrumented first tiers cost more than the whole loop (measured: twice the CPU time per byte).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Scan(ReadOnlySpan<char> text, ISecretSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        var position = 0;
        var line = 1;
        var counted = 0;
        var anchors = new AnchorCursor();
        while (position < text.Length)
        {
            var at = anchors.Next(text, position);
            if (at < 0)
            {
                return;
            }

            // Most anchors are a secret-like word with nothing assigned to it (a CancellationToken parameter, a
            // comment about tokens): settled here, at the word, without finding its line or running an expression.
            if (!IsAssignedNameAt(text, at) && !IsVendorAnchorAt(text, at))
            {
                position = at + 1;
                continue;
            }

            var start = text[..at].LastIndexOf('\n') + 1;
            var newline = text[at..].IndexOf('\n');
            var end = newline < 0 ? text.Length : at + newline;
            if (start > counted)
            {
                line += text[counted..start].Count('\n');
                counted = start;
            }

            var from = start;
            var to = end;
            if (to - from > MaxWindow)
            {
                from = Math.Max(start, at - 256);
                to = Math.Min(end, from + MaxWindow);
            }

            var resume = ScanLine(text, from, to, line, sink);
            position = Math.Max(resume, to == end ? end + 1 : to);
        }
    }

    /// <summary>
    /// The next anchor at or after a position, from three vectorised searches, each one's next match kept until the
    /// scan passes it. One many-word case-insensitive search verifies each candidate against every word of its bucket,
    /// character by character; split, the case-sensitive vendor prefixes verify with a plain comparison and "token"
    /// (as common in code as every other anchor together: each CancellationToken parameter) with one word. Measured
    /// on the 64 MB benchmark corpus: 0.18-0.23 s of CPU for the three against 0.34 s for one search of them all.
    /// </summary>
    internal struct AnchorCursor
    {
        private int nextToken;
        private int nextCaseSensitive;
        private int nextCaseInsensitive;

        public AnchorCursor()
        {
            nextToken = -1;
            nextCaseSensitive = -1;
            nextCaseInsensitive = -1;
        }

        /// <summary>The position of the first anchor at or after <paramref name="position"/>, or -1.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public int Next(ReadOnlySpan<char> text, int position)
        {
            if (nextToken < position)
            {
                nextToken = Find(text, position, TokenWord);
            }

            if (nextCaseSensitive < position)
            {
                nextCaseSensitive = Find(text, position, CaseSensitiveAnchors);
            }

            if (nextCaseInsensitive < position)
            {
                nextCaseInsensitive = Find(text, position, CaseInsensitiveAnchors);
            }

            var at = Math.Min(nextToken, Math.Min(nextCaseSensitive, nextCaseInsensitive));
            return at == int.MaxValue ? -1 : at;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static int Find(ReadOnlySpan<char> text, int position, SearchValues<string> anchors)
        {
            var found = text[position..].IndexOfAny(anchors);
            return found < 0 ? int.MaxValue : position + found;
        }
    }

    /// <summary>Runs the expressions over text[from..to) (one line or a window of one); returns where scanning resumes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int ScanLine(ReadOnlySpan<char> text, int from, int to, int line, ISecretSink sink)
    {
        // Most lines the prefilter lands on hold only a secret-like word and nothing assigned to it: settle those on
        // the span, without copying the line or running the vendor expressions.
        var line0 = text[from..to];
        if (line0.IndexOfAny(VendorAnchors) < 0)
        {
            if (!AnyAssignedName(line0)
                || !AnyAssignedSecretName(line0)
                || !(QuotedAssignmentAnywhere(line0) || GenericAssigned().IsMatch(line0)
                     || (line0.IndexOfAny(SecretWord) >= 0 && AwsSecret().IsMatch(line0))))
            {
                return to;
            }
        }

        var segment = new string(line0);
        var claimed = new List<(int Start, int End)>(2);
        var resume = to;

        if (segment.Contains("-----BEGIN", StringComparison.Ordinal))
        {
            resume = Math.Max(resume, Pem(text, from, segment, line, claimed, sink));
        }

        var span = segment.AsSpan();
        if (span.IndexOfAny(GitHubAnchors) >= 0)
        {
            foreach (Match m in GitHubClassic().Matches(segment))
            {
                var token = m.Groups["v"];
                if (GitHubTokenChecksum.IsValid(token.ValueSpan[4..]))
                {
                    Report(SecretKinds.GitHubToken, SecretConfidence.Checksum, token, line, null, claimed, sink);
                }
                else
                {
                    // A wrong checksum is no GitHub token; the generic detector must not report it either.
                    claimed.Add((token.Index, token.Index + token.Length));
                }
            }

            Each(GitHubFineGrained(), segment, SecretKinds.GitHubFineGrainedToken, line, claimed, sink);
        }

        if (span.IndexOfAny(GitLabAnchors) >= 0)
        {
            Each(GitLab(), segment, SecretKinds.GitLabToken, line, claimed, sink);
        }

        if (span.Contains("xox", StringComparison.Ordinal))
        {
            foreach (Match m in Slack().Matches(segment))
            {
                var kind = m.Groups["t"].ValueSpan[0] switch
                {
                    'b' => SecretKinds.SlackBotToken,
                    'p' => SecretKinds.SlackUserToken,
                    _ => SecretKinds.SlackToken,
                };
                Report(kind, SecretConfidence.Format, m.Groups["v"], line, null, claimed, sink);
            }
        }

        if (span.Contains("hooks.slack.com", StringComparison.Ordinal))
        {
            Each(SlackWebhook(), segment, SecretKinds.SlackWebhook, line, claimed, sink);
        }

        if (span.Contains("_live_", StringComparison.Ordinal))
        {
            Each(Stripe(), segment, SecretKinds.StripeLiveKey, line, claimed, sink);
        }

        if (span.IndexOfAny(AccountKeyWord) >= 0)
        {
            Each(AzureStorage(), segment, SecretKinds.AzureStorageKey, line, claimed, sink);
        }

        if (span.IndexOfAny(SharedAccessKeyWord) >= 0)
        {
            Each(AzureSharedAccess(), segment, SecretKinds.AzureSharedAccessKey, line, claimed, sink);
        }

        if (span.Contains("eyJ", StringComparison.Ordinal))
        {
            foreach (Match m in Jwt().Matches(segment))
            {
                if (IsJwt(m.Groups["v"].ValueSpan))
                {
                    Report(SecretKinds.Jwt, SecretConfidence.Format, m.Groups["v"], line, null, claimed, sink);
                }
            }
        }

        var named = span.IndexOfAny(NameAnchors) >= 0;
        if (named && span.IndexOfAny(SecretWord) >= 0)
        {
            foreach (Match m in AwsSecret().Matches(segment))
            {
                var value = m.Groups["v"];
                if (HasDigitAndLetter(value.ValueSpan) && !SecretDecoys.IsDecoy(value.ValueSpan))
                {
                    Report(SecretKinds.AwsSecretAccessKey, SecretConfidence.Format, value, line, NearestKeyId(text, from + value.Index), claimed, sink);
                }
            }
        }

        if (span.IndexOfAny(AwsIdAnchors) >= 0)
        {
            foreach (Match m in AwsKeyId().Matches(segment))
            {
                Report(SecretKinds.AwsAccessKeyId, SecretConfidence.Format, m.Groups["v"], line, m.Groups["v"].Value, claimed, sink);
            }
        }

        if (span.IndexOfAny(DatabaseAnchors) >= 0)
        {
            foreach (Match m in DatabaseUrl().Matches(segment))
            {
                Report(SecretKinds.DatabaseUrl, SecretConfidence.Format, m.Groups["v"], line, null, claimed, sink);
            }
        }

        // The generic detector needs a name with an assignment ('=' or ':') after it; most lines with a secret-like
        // word have none (a CancellationToken parameter, a comment), and a span test costs no allocation.
        if (named && AnyAssignedName(span))
        {
            if (QuotedAssignmentAnywhere(span))
            {
                Generic(segment, QuotedAssignments(segment), line, claimed, sink);
            }

            if (GenericAssigned().IsMatch(span))
            {
                Generic(segment, GenericAssigned().Matches(segment).Cast<Match>(), line, claimed, sink);
            }
        }

        return resume;
    }

    private static void Each(Regex regex, string segment, string kind, int line, List<(int, int)> claimed, ISecretSink sink)
    {
        foreach (Match m in regex.Matches(segment))
        {
            Report(kind, SecretConfidence.Format, m.Groups["v"], line, null, claimed, sink);
        }
    }

    // The quoted-assignment expression is anchored (\G) and tried only where the vectorised search finds a
    // secret-like word: unanchored, its case-insensitive first letters (s, p, t, a, c) would start a try at most
    // positions of every line.
    /// <summary>
    /// Whether a secret-like word in the line is followed, after the rest of its identifier, an optional quote and
    /// spaces, by ':' or '=': what every generic and AWS-secret expression needs, checked by hand before any of them
    /// runs (a CancellationToken parameter or a comment about tokens fails here).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool AnyAssignedName(ReadOnlySpan<char> line)
    {
        for (var offset = 0; offset < line.Length;)
        {
            var found = line[offset..].IndexOfAny(NameAnchors);
            if (found < 0)
            {
                return false;
            }

            if (IsAssignedNameAt(line, offset + found))
            {
                return true;
            }

            offset += found + 1;
        }

        return false;
    }

    /// <summary>
    /// Whether the secret-like word at <paramref name="at"/> is followed, after the rest of its identifier, an optional
    /// quote and spaces, by ':' or '=' (what <see cref="AnyAssignedName"/> asks of a line, asked of one word).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool IsAssignedNameAt(ReadOnlySpan<char> text, int at)
    {
        var i = at;
        var limit = Math.Min(text.Length, at + 96);
        while (i < limit && IsIdentifierChar(text[i]))
        {
            i++;
        }

        if (i < limit && text[i] is '"' or '\'')
        {
            i++;
        }

        while (i < limit && text[i] is ' ' or '\t')
        {
            i++;
        }

        return i < limit && text[i] is ':' or '=';
    }

    /// <summary>Whether a vendor anchor (a prefix, a scheme, a PEM header: not a secret-like name) starts at <paramref name="at"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool IsVendorAnchorAt(ReadOnlySpan<char> text, int at) =>
        // No vendor anchor starts with a 't': the commonest anchor by far, "token", needs no search.
        (text[at] | 0x20) != 't' && text.Slice(at, Math.Min(text.Length - at, LongestVendorAnchor)).IndexOfAny(VendorAnchors) == 0;

    /// <summary>
    /// Whether the line has an assigned name the generic and AWS-secret detectors could report: one whose identifier
    /// holds "secret" (the AWS-secret expression applies no name test) or that <see cref="NotASecretName"/> does not
    /// reject. A line whose every assigned name is a location or an id (<c>password_file: /run/secrets/db</c>) can
    /// give no detection, so it is settled without running the expressions. The test is a superset of the
    /// expressions' own: the whitespace before the ':' or '=' is any (\s), of any length.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool AnyAssignedSecretName(ReadOnlySpan<char> line)
    {
        for (var offset = 0; offset < line.Length;)
        {
            var found = line[offset..].IndexOfAny(NameAnchors);
            if (found < 0)
            {
                return false;
            }

            var at = offset + found;
            var i = at;
            var limit = Math.Min(line.Length, at + 96);
            while (i < limit && IsIdentifierChar(line[i]))
            {
                i++;
            }

            // From the word to the end of its identifier: a name's end decides NotASecretName (its pattern is a suffix).
            var identifier = line[at..i];
            if (i < line.Length && line[i] is '"' or '\'')
            {
                i++;
            }

            while (i < line.Length && char.IsWhiteSpace(line[i]))
            {
                i++;
            }

            if (i < line.Length && line[i] is ':' or '='
                && (identifier.IndexOfAny(SecretWord) >= 0 || !NotASecretName().IsMatch(identifier)))
            {
                return true;
            }

            offset = at + 1;
        }

        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsIdentifierChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-';

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool QuotedAssignmentAnywhere(ReadOnlySpan<char> line)
    {
        for (var rest = line; ;)
        {
            var at = rest.IndexOfAny(NameAnchors);
            if (at < 0)
            {
                return false;
            }

            if (GenericQuoted().IsMatch(rest[at..]))
            {
                return true;
            }

            rest = rest[(at + 1)..];
        }
    }

    private static List<Match> QuotedAssignments(string segment)
    {
        var matches = new List<Match>();
        for (var position = 0; position < segment.Length;)
        {
            var at = segment.AsSpan(position).IndexOfAny(NameAnchors);
            if (at < 0)
            {
                break;
            }

            var m = GenericQuoted().Match(segment, position + at);
            if (m.Success)
            {
                matches.Add(m);
                position = m.Index + m.Length;
            }
            else
            {
                position += at + 1;
            }
        }

        return matches;
    }

    private static void Generic(string segment, IEnumerable<Match> matches, int line, List<(int, int)> claimed, ISecretSink sink)
    {
        foreach (var m in matches)
        {
            // The expression starts at the secret-like word (so its prefix search can skip ahead); the name is that
            // word with the identifier characters before it.
            var start = m.Groups["k"].Index;
            var first = start;
            while (first > 0 && start - first < 40 && (char.IsAsciiLetterOrDigit(segment[first - 1]) || segment[first - 1] is '_' or '.' or '-'))
            {
                first--;
            }

            var name = segment.AsSpan(first, m.Groups["s"].Index + m.Groups["s"].Length - first);
            var value = m.Groups["v"];
            if (name.IndexOfAny(PublicWord) >= 0 || NotASecretName().IsMatch(name) || !HasDigitAndLetter(value.ValueSpan)
                || SecretDecoys.Entropy(value.ValueSpan) < 3.0 || LooksLikeCode(value.ValueSpan))
            {
                continue;
            }

            Report(SecretKinds.GenericSecret, SecretConfidence.Entropy, value, line, null, claimed, sink);
        }
    }

    private static void Report(string kind, string confidence, Group value, int line, string? credentialId, List<(int Start, int End)> claimed, ISecretSink sink)
    {
        var start = value.Index;
        var end = start + value.Length;
        foreach (var (s, e) in claimed)
        {
            if (start < e && s < end)
            {
                return;
            }
        }

        claimed.Add((start, end));
        if (!SecretDecoys.IsDecoy(value.ValueSpan))
        {
            sink.Found(kind, confidence, value.ValueSpan, line, credentialId);
        }
    }

    /// <summary>
    /// A private key block from the BEGIN on this line to its END (possibly many lines on, or on this line with
    /// <c>\n</c> escapes as in a GCP service-account JSON key). Its value is the base64 body alone, so the same key
    /// found as a .pem file and inside a JSON key file has one fingerprint. Returns where scanning resumes.
    /// </summary>
    private static int Pem(ReadOnlySpan<char> text, int from, string segment, int line, List<(int, int)> claimed, ISecretSink sink)
    {
        var resume = 0;
        foreach (Match m in PemBegin().Matches(segment))
        {
            var label = m.Groups["t"].Value;
            var bodyStart = from + m.Index + m.Length;
            var limit = Math.Min(text.Length, bodyStart + MaxPemLength);
            var endMarker = "-----END " + label + "-----";
            var endAt = text[bodyStart..limit].IndexOf(endMarker, StringComparison.Ordinal);
            if (endAt < 0)
            {
                continue;
            }

            var body = text.Slice(bodyStart, endAt);
            var afterEnd = bodyStart + endAt + endMarker.Length;
            claimed.Add((m.Index, Math.Max(m.Index + m.Length, afterEnd - from)));
            var next = text[afterEnd..].IndexOf('\n');
            resume = Math.Max(resume, next < 0 ? text.Length : afterEnd + next + 1);
            if (body.Contains("...", StringComparison.Ordinal))
            {
                continue;
            }

            var normalised = NormalisePem(body);
            if (normalised.Length < 64 || SecretDecoys.IsDecoy(normalised))
            {
                continue;
            }

            var kind = label.StartsWith("OPENSSH", StringComparison.Ordinal) ? SecretKinds.OpenSshPrivateKey
                : segment.AsSpan(0, m.Index).Contains("\"private_key\"", StringComparison.Ordinal) ? SecretKinds.GcpServiceAccountKey
                : SecretKinds.PrivateKey;
            sink.Found(kind, SecretConfidence.Format, normalised, line, null);
        }

        return resume;
    }

    private static string NormalisePem(ReadOnlySpan<char> body)
    {
        var builder = new StringBuilder(body.Length);
        for (var i = 0; i < body.Length; i++)
        {
            var c = body[i];
            if (c == '\\' && i + 1 < body.Length && body[i + 1] is 'n' or 'r')
            {
                i++;
            }
            else if (char.IsAsciiLetterOrDigit(c) || c is '+' or '/' or '=')
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    /// <summary>A JWT's header is base64url JSON naming a signing algorithm (not <c>none</c>).</summary>
    private static bool IsJwt(ReadOnlySpan<char> token)
    {
        var header = token[..token.IndexOf('.')];
        var padded = new char[header.Length + ((4 - (header.Length % 4)) % 4)];
        for (var i = 0; i < padded.Length; i++)
        {
            padded[i] = i < header.Length ? header[i] switch { '-' => '+', '_' => '/', var c => c } : '=';
        }

        var bytes = new byte[padded.Length];
        if (!Convert.TryFromBase64Chars(padded, bytes, out var written))
        {
            return false;
        }

        var json = Encoding.UTF8.GetString(bytes, 0, written);
        return json.Contains("\"alg\"", StringComparison.Ordinal) && !json.Contains("\"none\"", StringComparison.OrdinalIgnoreCase);
    }

    // An expression (reader.GetString(1), TimeSpan.FromDays(365)), a URN or a URL is code or a name, not a value.
    private static bool LooksLikeCode(ReadOnlySpan<char> value) =>
        value.IndexOfAny("()[]{};,") >= 0 || value.StartsWith("urn:", StringComparison.OrdinalIgnoreCase) || value.Contains("://", StringComparison.Ordinal);

    private static bool HasDigitAndLetter(ReadOnlySpan<char> value) =>
        value.IndexOfAnyInRange('0', '9') >= 0 && (value.IndexOfAnyInRange('a', 'z') >= 0 || value.IndexOfAnyInRange('A', 'Z') >= 0);

    /// <summary>The AWS access key id nearest the secret within a few lines either side: the pair's public half.</summary>
    private static string? NearestKeyId(ReadOnlySpan<char> text, int at)
    {
        var from = Math.Max(0, at - 600);
        var to = Math.Min(text.Length, at + 600);
        var window = new string(text[from..to]);
        string? best = null;
        var distance = int.MaxValue;
        foreach (Match m in AwsKeyId().Matches(window))
        {
            var d = Math.Abs(from + m.Index - at);
            if (d < distance && !SecretDecoys.IsDecoy(m.ValueSpan))
            {
                distance = d;
                best = m.Groups["v"].Value;
            }
        }

        return best;
    }

    [GeneratedRegex(@"(?<![A-Z0-9])(?<v>(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})(?![A-Z0-9])", RegexOptions.CultureInvariant)]
    private static partial Regex AwsKeyId();

    [GeneratedRegex(@"(?i)(?:aws[A-Za-z0-9_.\-]{0,24}secret|secret_?access_?key)[A-Za-z0-9_.\-]{0,24}[""']?\s*(?::=|=>|[:=])\s*[""']?(?<v>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])", RegexOptions.CultureInvariant)]
    private static partial Regex AwsSecret();

    [GeneratedRegex(@"(?<![A-Za-z0-9_])(?<v>gh[pousr]_[A-Za-z0-9]{36})(?![A-Za-z0-9_])", RegexOptions.CultureInvariant)]
    private static partial Regex GitHubClassic();

    [GeneratedRegex(@"(?<![A-Za-z0-9_])(?<v>github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})(?![A-Za-z0-9_])", RegexOptions.CultureInvariant)]
    private static partial Regex GitHubFineGrained();

    [GeneratedRegex(@"(?<![A-Za-z0-9_\-])(?<v>(?:(?:glpat|gldt|glrt|glptt|gloas|glft|glcbt|glagent|glimt|glsoat)-[A-Za-z0-9_\-]{20,80}(?:\.[0-9a-z]{2}\.[0-9a-z]{7,12})?|GR1348941[A-Za-z0-9_\-]{20}))(?![A-Za-z0-9_\-])", RegexOptions.CultureInvariant)]
    private static partial Regex GitLab();

    [GeneratedRegex(@"(?<![A-Za-z0-9\-])(?<v>xox(?<t>[abposre])-[0-9A-Za-z\-]{20,250})(?![A-Za-z0-9\-])", RegexOptions.CultureInvariant)]
    private static partial Regex Slack();

    [GeneratedRegex(@"https://hooks\.slack\.com/(?:services|workflows|triggers)/(?<v>[A-Za-z0-9]{8,12}/[A-Za-z0-9]{8,12}/[A-Za-z0-9]{20,32})(?![A-Za-z0-9])", RegexOptions.CultureInvariant)]
    private static partial Regex SlackWebhook();

    [GeneratedRegex(@"(?<![A-Za-z0-9])(?<v>(?:sk|rk)_live_[A-Za-z0-9]{24,99})(?![A-Za-z0-9])", RegexOptions.CultureInvariant)]
    private static partial Regex Stripe();

    [GeneratedRegex(@"(?i)AccountKey=(?<v>[A-Za-z0-9+/]{86}==)", RegexOptions.CultureInvariant)]
    private static partial Regex AzureStorage();

    [GeneratedRegex(@"(?i)SharedAccessKey=(?<v>[A-Za-z0-9+/]{43}=)", RegexOptions.CultureInvariant)]
    private static partial Regex AzureSharedAccess();

    [GeneratedRegex(@"(?<![A-Za-z0-9_\-])(?<v>eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{16,})(?![A-Za-z0-9_\-])", RegexOptions.CultureInvariant)]
    private static partial Regex Jwt();

    [GeneratedRegex(@"-----BEGIN (?<t>(?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?)-----", RegexOptions.CultureInvariant)]
    private static partial Regex PemBegin();

    [GeneratedRegex(@"(?i)(?<![A-Za-z0-9+])(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|sqlserver|cockroachdb)://[^:/\s@'""]{1,64}:(?<v>[^@/\s'""]{1,128})@[^\s'""/:]{1,253}", RegexOptions.CultureInvariant)]
    private static partial Regex DatabaseUrl();

    // Names for something about a secret rather than the secret: an id (private_key_id, token_id, but not Vault's
    // secret_id), a location (password_file, token_url), a kind.
    [GeneratedRegex(@"(?i)(?:(?:key|token|credential|password)[_.\-]?id|[_.\-]?(?:url|uri|file|path|name|type|endpoint|header|length|size|count|ttl|expiry|expires))$", RegexOptions.CultureInvariant)]
    private static partial Regex NotASecretName();

    [GeneratedRegex(@"\G(?<k>secret|passw(?:or)?d|pwd|token|api[_.\-]?key|access[_.\-]?key|private[_.\-]?key|auth[_.\-]?key|credential)(?<s>[A-Za-z0-9_.\-]{0,40})[""']?\s*(?::=|=>|[:=])\s*(?<q>[""'`])(?<v>[^""'`\s]{12,256})\k<q>", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex GenericQuoted();

    [GeneratedRegex(@"(?i)^\s*(?:export\s+)?[A-Za-z0-9_.\-]{0,40}?(?<k>secret|passw(?:or)?d|pwd|token|api[_.\-]?key|access[_.\-]?key|private[_.\-]?key|auth[_.\-]?key|credential)(?<s>[A-Za-z0-9_.\-]{0,40})\s*[=:]\s*(?<v>[^""'`\s#]{12,256})\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex GenericAssigned();
}
