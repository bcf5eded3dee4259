using System.Globalization;
using System.Text;

namespace Mandate.Tests.Shared;

/// <summary>
/// Writes a deterministic (seeded) corpus of realistic source files with planted, format-valid secrets of every kind
/// (GitHub tokens with correct checksums, well-formed JWTs, PEM blocks, …) and decoys (documented example keys,
/// placeholders, public keys, certificates, wrong-checksum tokens, test-mode keys), and says where each one is. The
/// secrets are generated at run time, never committed: they are random and authenticate nowhere. Used by the
/// scanner's tests and by the side-by-side benchmark against secretlint. Its own CRC32 and base62 (not the scanner's)
/// so a checksum bug in the scanner cannot hide behind the same bug here.
/// </summary>
internal sealed class SecretCorpus
{
    private const string Alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private const string Base64Chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    private readonly Random random;

    private SecretCorpus(int seed) => random = new Random(seed);

    /// <summary>Every planted-secret kind the generator makes (the scanner's kind names).</summary>
    public static readonly IReadOnlyList<string> PlantedKinds =
    [
        "aws_secret_access_key", "gcp_service_account_key", "azure_storage_key", "github_token", "github_fine_grained_token",
        "gitlab_token", "slack_bot_token", "slack_user_token", "slack_webhook", "stripe_live_key", "private_key",
        "openssh_private_key", "jwt", "database_url", "generic_secret",
    ];

    /// <summary>Every decoy kind the generator makes.</summary>
    public static readonly IReadOnlyList<string> DecoyKinds =
    [
        "aws_documented_example", "placeholder_angle", "placeholder_changeme", "placeholder_xxxx", "placeholder_env",
        "public_key_pem", "certificate", "ssh_public_key", "github_wrong_checksum", "stripe_test_key", "jwt_io_example",
        "azurite_key", "pem_elided", "slack_placeholder",
    ];

    public List<Item> Planted { get; } = [];

    public List<Item> Decoys { get; } = [];

    public long Bytes { get; private set; }

    /// <summary>A planted secret or a decoy: its kind, its raw value (for leak checks), and its file and 1-based line.</summary>
    public sealed record Item(string Kind, string Value, string File, int Line);

    /// <summary>
    /// Writes <paramref name="files"/> files under <paramref name="directory"/>, about <paramref name="fileBytes"/>
    /// bytes each, with every planted kind and every decoy kind at least once (more in larger corpora).
    /// </summary>
    /// <param name="directory">Where to write.</param>
    /// <param name="seed">The same seed writes the same corpus.</param>
    /// <param name="files">How many files.</param>
    /// <param name="fileBytes">About how large each is.</param>
    /// <param name="every">One planted secret and one decoy every this many lines.</param>
    public static SecretCorpus Write(string directory, int seed = 1, int files = 40, int fileBytes = 16 * 1024, int every = 25)
    {
        var corpus = new SecretCorpus(seed);
        Directory.CreateDirectory(directory);
        var extensions = new[] { "cs", "py", "js", "yaml", "env", "json", "ts", "go" };
        for (var f = 0; f < files; f++)
        {
            var ext = extensions[f % extensions.Length];
            var name = $"src/module{f / 10:00}/file{f:0000}.{ext}";
            var lines = new List<string>();
            var size = 0;
            var step = 0;
            while (size < fileBytes)
            {
                if (step % every == every / 2)
                {
                    // Every file plants one secret and one decoy, cycling through the kinds.
                    var plantedKind = PlantedKinds[(f * 2 + step / every) % PlantedKinds.Count];
                    size += corpus.Plant(plantedKind, name, lines, corpus.Planted);
                }
                else if (step % every == every - 5)
                {
                    var decoyKind = DecoyKinds[(f * 2 + step / every) % DecoyKinds.Count];
                    size += corpus.Plant(decoyKind, name, lines, corpus.Decoys);
                }
                else
                {
                    var line = corpus.Filler(ext);
                    lines.Add(line);
                    size += line.Length + 1;
                }

                step++;
            }

            var path = Path.Combine(directory, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var text = string.Join('\n', lines) + "\n";
            File.WriteAllText(path, text);
            corpus.Bytes += Encoding.UTF8.GetByteCount(text);
        }

        return corpus;
    }

    /// <summary>A value of a planted kind on its own (for tests that write their own files).</summary>
    public static string Value(string kind, int seed = 7)
    {
        var corpus = new SecretCorpus(seed);
        var lines = new List<string>();
        var items = new List<Item>();
        corpus.Plant(kind, "x", lines, items);
        return items[0].Value;
    }

    /// <summary>The lines planting one item (of a planted or decoy kind) and the item, for tests that write their own files.</summary>
    public static (IReadOnlyList<string> Lines, Item Item) Snippet(string kind, int seed = 7)
    {
        var corpus = new SecretCorpus(seed);
        var lines = new List<string>();
        var items = new List<Item>();
        corpus.Plant(kind, "x", lines, items);
        return (lines, items[0]);
    }

    /// <summary>A GitHub classic token (ghp_) whose checksum is right, or (<paramref name="valid"/> false) wrong.</summary>
    public static string GitHubToken(int seed, bool valid = true, string prefix = "ghp_")
    {
        var corpus = new SecretCorpus(seed);
        var body = corpus.Chars(Alnum, 30);
        var checksum = Base62(Crc32(Encoding.ASCII.GetBytes(body)));
        if (!valid)
        {
            checksum = checksum[..5] + (checksum[5] == 'A' ? 'B' : 'A');
        }

        return prefix + body + checksum;
    }

    // Appends the lines planting one item; returns their byte count.
    private int Plant(string kind, string file, List<string> lines, List<Item> into)
    {
        var before = lines.Count;
        void Add(string value, string line, int offset = 0)
        {
            into.Add(new Item(kind, value, file, before + 1 + offset));
            lines.Add(line);
        }

        switch (kind)
        {
            case "aws_secret_access_key":
            {
                var id = "AKIA" + Chars("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16);
                var secret = WithDigit(Chars(Base64Chars, 40));
                lines.Add("[default]");
                lines.Add("aws_access_key_id = " + id);
                into.Add(new Item(kind, secret, file, before + 3));
                lines.Add("aws_secret_access_key = " + secret);
                break;
            }

            case "gcp_service_account_key":
            {
                var body = Pem(1190, "\\n");
                var value = "-----BEGIN PRIVATE KEY-----\\n" + body + "\\n-----END PRIVATE KEY-----\\n";
                lines.Add("{");
                lines.Add("  \"type\": \"service_account\",");
                lines.Add($"  \"project_id\": \"proj-{Chars("abcdefghijklmnopqrstuvwxyz", 8)}\",");
                lines.Add($"  \"private_key_id\": \"{Chars("0123456789abcdef", 40)}\",");
                into.Add(new Item(kind, body.Replace("\\n", string.Empty, StringComparison.Ordinal), file, before + 5));
                lines.Add($"  \"private_key\": \"{value}\",");
                lines.Add($"  \"client_email\": \"svc@proj.iam.gserviceaccount.com\"");
                lines.Add("}");
                break;
            }

            case "azure_storage_key":
            {
                var key = Convert.ToBase64String(RandomBytes(64));
                Add(key, $"AZURE_STORAGE_CONNECTION_STRING=\"DefaultEndpointsProtocol=https;AccountName=acct{Chars("abcdefghijklmnopqrstuvwxyz0123456789", 8)};AccountKey={key};EndpointSuffix=core.windows.net\"");
                break;
            }

            case "github_token":
            {
                var token = GitHubToken(random.Next(), true, new[] { "ghp_", "gho_", "ghu_", "ghs_", "ghr_" }[random.Next(5)]);
                Add(token, $"    github_client = Github(\"{token}\")");
                break;
            }

            case "github_fine_grained_token":
            {
                var token = "github_pat_" + Chars(Alnum, 22) + "_" + Chars(Alnum, 59);
                Add(token, $"GH_PAT={token}");
                break;
            }

            case "gitlab_token":
            {
                var token = "glpat-" + Chars(Alnum + "_-", 20);
                Add(token, $"  gitlab_private_token: {token}");
                break;
            }

            case "slack_bot_token":
            {
                var token = $"xoxb-{Chars("0123456789", 12)}-{Chars("0123456789", 13)}-{Chars(Alnum, 24)}";
                Add(token, $"const slack = new WebClient('{token}');");
                break;
            }

            case "slack_user_token":
            {
                var token = $"xoxp-{Chars("0123456789", 12)}-{Chars("0123456789", 12)}-{Chars("0123456789", 13)}-{Chars("0123456789abcdef", 32)}";
                Add(token, $"SLACK_USER_TOKEN=\"{token}\"");
                break;
            }

            case "slack_webhook":
            {
                var path = $"T{Chars("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 8)}/B{Chars("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 10)}/{Chars(Alnum, 24)}";
                Add(path, $"webhook_url = \"https://hooks.slack.com/services/{path}\"");
                break;
            }

            case "stripe_live_key":
            {
                var key = "sk_live_" + Chars(Alnum, 24);
                Add(key, $"stripe.api_key = \"{key}\"");
                break;
            }

            case "private_key":
            case "openssh_private_key":
            {
                var label = kind == "private_key" ? "RSA PRIVATE KEY" : "OPENSSH PRIVATE KEY";
                var body = kind == "private_key" ? Pem(1190, "\n") : "b3BlbnNzaC1rZXktdjEAAAAA" + Pem(380, "\n")[24..];
                into.Add(new Item(kind, body.Replace("\n", string.Empty, StringComparison.Ordinal), file, before + 1));
                lines.Add($"-----BEGIN {label}-----");
                lines.AddRange(body.Split('\n'));
                lines.Add($"-----END {label}-----");
                break;
            }

            case "jwt":
            {
                var header = Base64Url(Encoding.ASCII.GetBytes("{\"alg\":\"HS256\",\"typ\":\"JWT\"}"));
                var payload = Base64Url(Encoding.ASCII.GetBytes($"{{\"sub\":\"svc-{Chars(Alnum, 10)}\",\"iat\":{random.Next(1_600_000_000, 1_700_000_000)}}}"));
                var token = $"{header}.{payload}.{Base64Url(RandomBytes(32))}";
                Add(token, $"  Authorization: Bearer {token}");
                break;
            }

            case "database_url":
            {
                var password = WithDigit(Chars(Alnum, 20));
                Add(password, $"DATABASE_URL=postgres://app:{password}@db{random.Next(1, 9)}.internal:5432/app");
                break;
            }

            case "generic_secret":
            {
                var value = WithDigit(Chars(Alnum, 32));
                var names = new[] { "client_secret", "API_KEY", "apiToken", "db_password", "SIGNING_SECRET" };
                Add(value, $"    {names[random.Next(names.Length)]} = \"{value}\"");
                break;
            }

            case "aws_documented_example":
                Add("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
                into.Add(new Item(kind, "AKIAIOSFODNN7EXAMPLE", file, before + 2));
                lines.Add("aws_access_key_id = AKIAIOSFODNN7EXAMPLE");
                break;
            case "placeholder_angle":
                Add("<your-api-token>", "api_token = \"<your-api-token>\"");
                break;
            case "placeholder_changeme":
                Add("changeme", "DB_PASSWORD=changeme");
                break;
            case "placeholder_xxxx":
                Add("ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
                break;
            case "placeholder_env":
                Add("${DB_PASSWORD}", "url: postgres://app:${DB_PASSWORD}@db.internal:5432/app");
                break;
            case "public_key_pem":
            {
                var body = Pem(392, "\n");
                into.Add(new Item(kind, body.Replace("\n", string.Empty, StringComparison.Ordinal), file, before + 1));
                lines.Add("-----BEGIN PUBLIC KEY-----");
                lines.AddRange(body.Split('\n'));
                lines.Add("-----END PUBLIC KEY-----");
                break;
            }

            case "certificate":
            {
                var body = Pem(900, "\n");
                into.Add(new Item(kind, body.Replace("\n", string.Empty, StringComparison.Ordinal), file, before + 1));
                lines.Add("-----BEGIN CERTIFICATE-----");
                lines.AddRange(body.Split('\n'));
                lines.Add("-----END CERTIFICATE-----");
                break;
            }

            case "ssh_public_key":
            {
                var key = "AAAAB3NzaC1yc2EAAAADAQABAAABAQ" + Chars(Base64Chars, 340);
                Add(key, $"ssh-rsa {key} deploy@build");
                break;
            }

            case "github_wrong_checksum":
            {
                var token = GitHubToken(random.Next(), valid: false);
                Add(token, $"    token = \"{token}\"");
                break;
            }

            case "stripe_test_key":
            {
                var key = "sk_test_" + Chars(Alnum, 24);
                Add(key, $"STRIPE_KEY={key}");
                break;
            }

            case "jwt_io_example":
            {
                const string token = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
                Add(token, $"// e.g. Authorization: Bearer {token}");
                break;
            }

            case "azurite_key":
            {
                const string key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
                Add(key, $"UseDevelopmentStorage=DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={key};BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;");
                break;
            }

            case "pem_elided":
                Add("MIIEowIBAAKCAQEA...", "-----BEGIN RSA PRIVATE KEY-----");
                lines.Add("MIIEowIBAAKCAQEA...");
                lines.Add("-----END RSA PRIVATE KEY-----");
                break;
            case "slack_placeholder":
                Add("xoxb-your-bot-token-goes-here", "SLACK_BOT_TOKEN=xoxb-your-bot-token-goes-here");
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "no such corpus kind");
        }

        var bytes = 0;
        for (var i = before; i < lines.Count; i++)
        {
            bytes += lines[i].Length + 1;
        }

        return bytes;
    }

    private string Filler(string ext)
    {
        var word = Words[random.Next(Words.Length)];
        var other = Words[random.Next(Words.Length)];
        var n = random.Next(1000).ToString(CultureInfo.InvariantCulture);
        return ext switch
        {
            "py" => random.Next(6) switch
            {
                0 => $"def {word}_{other}(self, {other}_id: int) -> dict:",
                1 => $"    return self.{word}.get(\"{other}\", {n})",
                2 => $"    # see https://docs.example.org/{word}/{other} for the token refresh flow",
                3 => $"    {word} = os.environ.get(\"{other.ToUpperInvariant()}_TOKEN\")",
                4 => $"    logger.info(\"{word} {other} done in %d ms\", {n})",
                _ => string.Empty,
            },
            "yaml" => random.Next(5) switch
            {
                0 => $"{word}:",
                1 => $"  {other}: {n}",
                2 => $"  image: registry.example.org/{word}/{other}:1.{n}",
                3 => $"  password_file: /run/secrets/{word}",
                _ => $"  # {word} {other}",
            },
            "env" => random.Next(3) switch
            {
                0 => $"{word.ToUpperInvariant()}_{other.ToUpperInvariant()}={n}",
                1 => $"{word.ToUpperInvariant()}_URL=https://{other}.example.org/api",
                _ => $"# {word} {other}",
            },
            "json" => $"  \"{word}_{other}\": \"{other}-{n}\",",
            _ => random.Next(7) switch
            {
                0 => $"    public async Task<{Title(word)}> Get{Title(other)}Async(string {word}Id, CancellationToken token)",
                1 => $"        var {word} = await _{other}.FindAsync({word}Id, token);",
                2 => $"        // The {word} token is refreshed by the {other} service before it expires.",
                3 => $"        if ({word} is null) {{ return {n}; }}",
                4 => $"    const {word}{Title(other)} = require('./{word}/{other}');",
                5 => $"    fetch(`https://api.example.org/{word}/${{{other}}}`, {{ headers: {{ Accept: 'application/json' }} }});",
                _ => "    }",
            },
        };
    }

    private static readonly string[] Words =
    [
        "order", "invoice", "customer", "account", "session", "payment", "ledger", "report", "widget", "tenant", "queue",
        "cache", "user", "profile", "billing", "export", "import", "worker", "schedule", "metric", "event", "client",
    ];

    private static string Title(string word) => char.ToUpperInvariant(word[0]) + word[1..];

    private string Chars(string alphabet, int count)
    {
        var chars = new char[count];
        for (var i = 0; i < count; i++)
        {
            chars[i] = alphabet[random.Next(alphabet.Length)];
        }

        return new string(chars);
    }

    // A random value always has a digit somewhere (the generic and AWS detectors ask for letters and digits).
    private string WithDigit(string value) =>
        value.Any(char.IsAsciiDigit) ? value : value[..^1] + (char)('0' + random.Next(10));

    private byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }

    private string Pem(int bytes, string newline)
    {
        var text = Convert.ToBase64String(RandomBytes(bytes));
        var lines = new List<string>();
        for (var i = 0; i < text.Length; i += 64)
        {
            lines.Add(text.Substring(i, Math.Min(64, text.Length - i)));
        }

        return string.Join(newline, lines);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static uint Crc32(byte[] data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }

        return ~crc;
    }

    private static string Base62(uint value)
    {
        var chars = new char[6];
        for (var i = 5; i >= 0; i--)
        {
            chars[i] = Alnum[(int)(value % 62)];
            value /= 62;
        }

        return new string(chars);
    }
}
