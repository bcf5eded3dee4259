using System.Text.Json;
using System.Text.Json.Serialization;
using Mandate.Core.Policies;
using Mandate.Core.Operators;
using Mandate.Server.Authentication;
using Mandate.Server.Operators;
using Mandate.Server.Decisions;
using Mandate.Server.Http;
using Mandate.Server.Problems;

namespace Mandate.Server.Policies;

/// <summary>
/// Admin API for policies: read the active set (and the last rejected one), replace it (validated against its schema,
/// all or nothing), validate without activating, list every stored version, read one, and re-activate one.
/// </summary>
internal static class PolicyEndpoints
{
    public static IEndpointRouteBuilder MapPolicyEndpoints(this IEndpointRouteBuilder app)
    {
        // Reading policies is an auditor's; changing (and trying) them is security's.
        var group = app.MapGroup("/v1/policies").RequireOperatorRole(OperatorRole.Auditor);

        group.MapGet(string.Empty, (PolicyService policies) =>
        {
            var current = policies.Active.Current;
            return TypedResults.Ok(new ActivePolicyView(
                current.Version,
                current.Origin,
                current.ActivatedAt,
                current.Policies.Policies.Count,
                current.Entities.Count,
                BundleView.Of(current.Bundle),
                policies.Active.LastRejection is { } r ? new RejectionView(r.Origin, r.Errors, r.At) : null));
        });

        group.MapPut(string.Empty, async (HttpContext context, PolicyService policies, CancellationToken cancellationToken) =>
        {
            var (body, bodyProblem) = await JsonBody.ReadAsync<BundleView>(context, BodyLimits.PolicyBundle, JsonBodyProblems.Framework);
            if (bodyProblem is not null)
            {
                return bodyProblem;
            }

            if (ToBundle(body!, out var bundle) is { } problem)
            {
                return problem;
            }

            try
            {
                var snapshot = await policies.ActivateAsync(bundle, "admin", context.OperatorActor(), cancellationToken);
                return Results.Ok(new ActivationView(snapshot.Version, snapshot.Policies.Policies.Count, snapshot.Entities.Count, snapshot.ActivatedAt));
            }
            catch (PolicySetRejectedException e)
            {
                return Rejected(e);
            }
        }).RequireOperatorRole(OperatorRole.Security);

        group.MapPost("/validate", async (HttpContext context, PolicyService policies) =>
        {
            var (body, bodyProblem) = await JsonBody.ReadAsync<BundleView>(context, BodyLimits.PolicyBundle, JsonBodyProblems.Framework);
            if (bodyProblem is not null)
            {
                return bodyProblem;
            }

            if (ToBundle(body!, out var bundle) is { } problem)
            {
                return problem;
            }

            try
            {
                var snapshot = policies.Validate(bundle);
                return Results.Ok(new ValidationView(true, snapshot.Version, []));
            }
            catch (PolicySetRejectedException e)
            {
                return Rejected(e);
            }
        }).RequireOperatorRole(OperatorRole.Security);

        group.MapGet("/versions", async (PolicyService policies, int? limit, CancellationToken cancellationToken) =>
        {
            var versions = await policies.ListVersionsAsync(limit ?? 100, cancellationToken);
            var active = policies.Active.Current.Version;
            return TypedResults.Ok(new VersionListView(versions
                .Select(v => new VersionView(v.Sequence, v.Version, v.Origin, v.Actor, v.CreatedAt, v.ActivatedAt, v.Version == active))
                .ToList()));
        });

        group.MapGet("/versions/{version}", async (string version, PolicyService policies, CancellationToken cancellationToken) =>
        {
            var record = await policies.GetVersionAsync(version, cancellationToken);
            return record is null
                ? Problem.NotFound($"No policy version '{version}' is stored.")
                : Results.Ok(new VersionDetailView(record.Sequence, record.Version, record.Origin, record.Actor, record.CreatedAt, record.ActivatedAt, BundleView.Of(record.Bundle)));
        });

        // Returning to a stored version is a rollback: a new activation pointing at the version, never an edit of it.
        group.MapPost("/versions/{version}/activate", async (string version, HttpContext context, PolicyService policies, CancellationToken cancellationToken) =>
            await RollBackAsync(version, context.OperatorActor(), policies, cancellationToken)).RequireOperatorRole(OperatorRole.Security);

        // Back to the version that was active before the current one (or to "version" when the body names one).
        group.MapPost("/rollback", async (HttpContext context, PolicyService policies, CancellationToken cancellationToken) =>
        {
            var (body, bodyProblem) = await JsonBody.ReadAsync<RollbackRequest>(context, BodyLimits.Request, JsonBodyProblems.Framework, required: false);
            if (bodyProblem is not null)
            {
                return bodyProblem;
            }

            var version = body?.Version;
            if (string.IsNullOrEmpty(version))
            {
                version = await policies.PreviousVersionAsync(cancellationToken);
                if (version is null)
                {
                    return Problem.Conflict($"There is no earlier policy version to roll back to: {policies.Active.Current.Version} is the only one ever activated.");
                }
            }

            return await RollBackAsync(version, context.OperatorActor(), policies, cancellationToken);
        }).RequireOperatorRole(OperatorRole.Security);

        group.MapGet("/activations", async (PolicyService policies, int? limit, CancellationToken cancellationToken) =>
        {
            var activations = await policies.ListActivationsAsync(limit ?? 100, cancellationToken);
            return TypedResults.Ok(new ActivationListView(activations
                .Select(a => new ActivationRecordView(a.Sequence, a.Version, a.Kind, a.Origin, a.Actor, a.ActivatedAt, a.PreviousVersion))
                .ToList()));
        });

        return app;
    }

    private static async Task<IResult> RollBackAsync(string version, string actor, PolicyService policies, CancellationToken cancellationToken)
    {
        try
        {
            var snapshot = await policies.RollBackAsync(version, actor, cancellationToken);
            return snapshot is null
                ? Problem.NotFound($"No policy version '{version}' is stored.")
                : Results.Ok(new ActivationView(snapshot.Version, snapshot.Policies.Policies.Count, snapshot.Entities.Count, snapshot.ActivatedAt));
        }
        catch (PolicySetRejectedException e)
        {
            return Rejected(e);
        }
    }

    private static IResult? ToBundle(BundleView body, out PolicyBundle bundle) =>
        ReadBundle(body, out bundle) is { } problem ? Problem.BadRequest(problem) : null;

    /// <summary>The API's bundle body as a bundle, or what is wrong with it (the console's validation form reads the same shape).</summary>
    internal static string? ReadBundle(BundleView body, out PolicyBundle bundle)
    {
        bundle = new PolicyBundle([], null, null);
        if (body.Policies is null)
        {
            return "'policies' is required: an object mapping file names (ending in .cedar) to Cedar text.";
        }

        var badName = body.Policies.Keys.FirstOrDefault(n => !n.EndsWith(".cedar", StringComparison.Ordinal) || n.Contains('/', StringComparison.Ordinal) || n.Contains('\\', StringComparison.Ordinal));
        if (badName is not null)
        {
            return $"Policy file name '{badName}' must be a plain file name ending in .cedar.";
        }

        string? entities = null;
        if (body.Entities is { } e)
        {
            entities = e.ValueKind switch
            {
                JsonValueKind.String => e.GetString(),
                JsonValueKind.Array => e.GetRawText(),
                JsonValueKind.Null or JsonValueKind.Undefined => null,
                _ => "\u0000",
            };
            if (entities == "\u0000")
            {
                return "'entities' must be Cedar entity JSON: an array, or a string holding one.";
            }
        }

        bundle = new PolicyBundle(
            body.Policies.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => new PolicyFile(p.Key, p.Value)).ToList(),
            entities,
            body.Schema);
        return null;
    }

    private static IResult Rejected(PolicySetRejectedException e) => Problem.Result(
        StatusCodes.Status400BadRequest,
        ProblemTypes.PolicySetRejected,
        e.Errors.Count == 1 ? e.Errors[0] : $"{e.Errors.Count} errors.",
        new Dictionary<string, object?> { ["errors"] = e.Errors });

    internal sealed record BundleView(
        Dictionary<string, string>? Policies,
        JsonElement? Entities,
        string? Schema)
    {
        public static BundleView Of(PolicyBundle bundle) => new(
            bundle.Policies.ToDictionary(p => p.Name, p => p.Text, StringComparer.Ordinal),
            bundle.EntitiesJson is null ? null : ParseOrString(bundle.EntitiesJson),
            bundle.Schema);

        private static JsonElement ParseOrString(string json)
        {
            try
            {
                using var document = JsonDocument.Parse(json);
                return document.RootElement.Clone();
            }
            catch (JsonException)
            {
                return JsonSerializer.SerializeToElement(json);
            }
        }
    }

    internal sealed record RejectionView(string Origin, IReadOnlyList<string> Errors, DateTimeOffset At);

    internal sealed record ActivePolicyView(
        string Version,
        string Origin,
        DateTimeOffset ActivatedAt,
        int PolicyCount,
        int EntityCount,
        BundleView Bundle,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] RejectionView? LastRejection);

    internal sealed record ActivationView(string Version, int PolicyCount, int EntityCount, DateTimeOffset ActivatedAt);

    internal sealed record ValidationView(bool Valid, string Version, IReadOnlyList<string> Errors);

    internal sealed record VersionView(long Sequence, string Version, string Origin, string Actor, DateTimeOffset CreatedAt, DateTimeOffset ActivatedAt, bool Active);

    internal sealed record VersionListView(IReadOnlyList<VersionView> Versions);

    internal sealed record RollbackRequest(string? Version);

    internal sealed record ActivationRecordView(long Sequence, string Version, string Kind, string Origin, string Actor, DateTimeOffset ActivatedAt, string? PreviousVersion);

    internal sealed record ActivationListView(IReadOnlyList<ActivationRecordView> Activations);

    internal sealed record VersionDetailView(long Sequence, string Version, string Origin, string Actor, DateTimeOffset CreatedAt, DateTimeOffset ActivatedAt, BundleView Bundle);
}
