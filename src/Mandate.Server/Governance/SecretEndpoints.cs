using System.Globalization;
using Mandate.Core.Governance.Findings;
using Mandate.Core.Operators;
using Mandate.Core.Secrets;
using Mandate.Server.Http;
using Mandate.Server.Operators;
using Mandate.Server.Problems;

namespace Mandate.Server.Governance;

/// <summary>
/// Secret inventory from scans (<c>mandate secrets scan --register</c>): <c>GET /v1/secrets/fingerprint-key</c> gives
/// the deployment's fingerprint key to compute HMACs with locally, and <c>POST /v1/secrets/scans</c> records a scan's
/// fingerprints, kinds and locations (never a value) as <c>static_secret</c> identities, then recomputes findings. Both
/// are the security role's (as importing the inventory is): the key lets its holder confirm a guessed secret against a
/// fingerprint, so it is handed only to those who may read the inventory's secrets' whereabouts anyway.
/// </summary>
internal static class SecretEndpoints
{
    public static IEndpointRouteBuilder MapSecretEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/secrets/fingerprint-key", KeyAsync).RequireOperatorRole(OperatorRole.Security);
        app.MapPost("/v1/secrets/scans", RegisterAsync).RequireOperatorRole(OperatorRole.Security);
        return app;
    }

    private static async Task<IResult> KeyAsync(HttpContext context, SecretRegistry registry, CancellationToken cancellationToken)
    {
        var key = await registry.FingerprintKeyAsync(cancellationToken);
        context.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(new { key_id = SecretRegistry.KeyId(key), algorithm = "HMAC-SHA256", key = Convert.ToBase64String(key) });
    }

    private static async Task<IResult> RegisterAsync(HttpContext context, SecretRegistry registry, FindingService findings, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<ScanRequest>(context, BodyLimits.SecretScan, JsonBodyProblems.Admin);
        if (problem is not null)
        {
            return problem;
        }

        var source = body!.Source?.Trim() ?? string.Empty;
        if (source.Length is 0 or > SecretRegistry.MaxSourceLength || source.Any(char.IsControl))
        {
            return Problem.BadRequest($"source: required, at most {SecretRegistry.MaxSourceLength.ToString(CultureInfo.InvariantCulture)} printable characters.");
        }

        var owner = string.IsNullOrWhiteSpace(body.Owner) ? null : body.Owner.Trim();
        if (owner is { Length: > 200 } || owner?.Any(char.IsControl) == true)
        {
            return Problem.BadRequest("owner: at most 200 printable characters.");
        }

        var secrets = body.Secrets ?? [];
        if (secrets.Count > SecretRegistry.MaxSecrets)
        {
            return Problem.BadRequest($"secrets: at most {SecretRegistry.MaxSecrets.ToString(CultureInfo.InvariantCulture)} per scan.");
        }

        var reports = new List<SecretReport>(secrets.Count);
        for (var i = 0; i < secrets.Count; i++)
        {
            var s = secrets[i];
            var at = $"secrets[{i.ToString(CultureInfo.InvariantCulture)}]";
            if (s is null || !SecretFingerprinter.IsFingerprint(s.Fingerprint))
            {
                return Problem.BadRequest($"{at}.fingerprint: 'hmac-sha256:' and 64 lower-case hex digits (a keyed digest; never the secret).");
            }

            if (s.Kind is null || !SecretKinds.All.Contains(s.Kind))
            {
                return Problem.BadRequest($"{at}.kind: one of {string.Join(", ", SecretKinds.All)}.");
            }

            if (s.CredentialId is { } id && (id.Length > 128 || id.Any(c => !char.IsAsciiLetterOrDigit(c))))
            {
                return Problem.BadRequest($"{at}.credential_id: at most 128 letters and digits (a public id such as an AWS access key id).");
            }

            var locations = s.Locations ?? [];
            if (locations.Count is 0 or > SecretRegistry.MaxLocations)
            {
                return Problem.BadRequest($"{at}.locations: 1 to {SecretRegistry.MaxLocations.ToString(CultureInfo.InvariantCulture)}.");
            }

            var report = new SecretReport
            {
                Fingerprint = s.Fingerprint!,
                Kind = s.Kind,
                Confidence = s.Confidence is SecretConfidence.Checksum or SecretConfidence.Format or SecretConfidence.Entropy ? s.Confidence : SecretConfidence.Format,
                CredentialId = s.CredentialId,
            };
            foreach (var l in locations)
            {
                if (l is null || string.IsNullOrEmpty(l.File) || l.File.Length > 1024 || l.File.Any(char.IsControl) || l.Line < 1
                    || (l.Commit is { } commit && (commit.Length is not (40 or 64) || !commit.All(char.IsAsciiHexDigitLower))))
                {
                    return Problem.BadRequest($"{at}.locations: each a file (at most 1024 printable characters), a line from 1, and a commit id or null.");
                }

                report.Locations.Add(new SecretLocation(l.File, l.Line, l.Commit, l.Date));
            }

            reports.Add(report);
        }

        var result = await registry.RegisterAsync(
            new SecretRegistration { Source = source, Owner = owner, History = body.History, Secrets = reports },
            context.OperatorActor(),
            context.TraceIdentifier,
            cancellationToken);

        // Findings follow the inventory at once (as after an import), not at the next background round.
        await findings.RecomputeAsync(context.OperatorActor(), context.TraceIdentifier, cancellationToken);
        return TypedResults.Ok(new
        {
            source = result.Source,
            added = result.Added,
            seen = result.Seen,
            reappeared = result.Reappeared,
            removed = result.Removed,
            secrets = result.Secrets.Select(s => new { fingerprint = s.Fingerprint, status = s.Status, inventory_id = s.InventoryId, identity = s.Identity, owner = s.Owner }),
            removed_secrets = result.RemovedSecrets.Select(r => new { fingerprint = r.Fingerprint, removed_at = r.RemovedAt }),
            ledger_sequence = result.LedgerSequence,
        });
    }

    internal sealed record ScanRequest(string? Source, string? Owner, bool History, IReadOnlyList<ScanSecret?>? Secrets);

    internal sealed record ScanSecret(string? Fingerprint, string? Kind, string? Confidence, string? CredentialId, IReadOnlyList<ScanLocation?>? Locations);

    internal sealed record ScanLocation(string? File, int Line, string? Commit, DateTimeOffset? Date);
}
