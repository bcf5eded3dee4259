using System.Globalization;
using Mandate.Core.Governance.Findings;
using Mandate.Core.Governance.Inventory;
using Mandate.Core.Operators;
using Mandate.Server.Http;
using Mandate.Server.Operators;
using Mandate.Server.Problems;
using Microsoft.AspNetCore.Http.Features;

namespace Mandate.Server.Governance;

/// <summary>
/// The imported inventory: <c>POST /v1/identities/import</c> (the file is the body, up to
/// <see cref="BodyLimits.InventoryImport"/>; security or admin) and <c>GET /v1/inventory</c> (auditor and up).
/// </summary>
internal static class InventoryEndpoints
{
    private const int MaxFileNameLength = 255;

    public static IEndpointRouteBuilder MapInventoryEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/identities/import", ImportAsync).RequireOperatorRole(OperatorRole.Security);
        app.MapGet("/v1/inventory", ListAsync).RequireOperatorRole(OperatorRole.Auditor);
        return app;
    }

    private static async Task<IResult> ImportAsync(HttpContext context, InventoryImporter importer, FindingService findings, CancellationToken cancellationToken)
    {
        var q = context.Request.Query;
        if (!InventoryFormats.TryParse(q["format"].ToString(), out var format))
        {
            return Problem.BadRequest($"format: required, one of {string.Join(", ", InventoryFormats.All)}.");
        }

        bool dryRun = false;
        if (q["dry_run"].ToString() is { Length: > 0 } dryText && !bool.TryParse(dryText, out dryRun))
        {
            return Problem.BadRequest("dry_run: true or false.");
        }

        var owner = q["owner"].ToString();
        if (owner.Length > InventoryFields.MaxOwnerLength || owner.Any(char.IsControl))
        {
            return Problem.BadRequest($"owner: at most {InventoryFields.MaxOwnerLength} printable characters.");
        }

        if (await OwnerDepartedAsync(context, owner, cancellationToken) is { } departed)
        {
            return departed;
        }

        var annotation = q["owner_annotation"].ToString();
        if (annotation.Length > 253 || annotation.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
        {
            return Problem.BadRequest("owner_annotation: a Kubernetes annotation or label key.");
        }

        var fileName = FileName(q["file_name"].ToString());
        if (fileName is null)
        {
            return Problem.BadRequest($"file_name: at most {MaxFileNameLength} printable characters.");
        }

        var limit = BodyLimits.InventoryImport;
        if (context.Request.ContentLength > limit)
        {
            return TooLarge(limit);
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = limit;
        }

        byte[] content;
        try
        {
            using var buffer = new MemoryStream();
            await new BoundedReadStream(context.Request.Body, limit).CopyToAsync(buffer, cancellationToken);
            content = buffer.ToArray();
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge(limit);
        }

        if (content.Length == 0)
        {
            return Problem.BadRequest("The body is the inventory file, and it is empty.");
        }

        var report = await importer.ImportAsync(
            new InventoryImportRequest
            {
                Format = format,
                Content = content,
                FileName = fileName,
                DryRun = dryRun,
                Options = new InventoryParseOptions
                {
                    DefaultOwner = owner.Length == 0 ? null : owner.Trim(),
                    OwnerAnnotation = annotation.Length == 0 ? "mandate.io/owner" : annotation,
                },
            },
            context.OperatorActor(),
            context.TraceIdentifier,
            cancellationToken);
        if (!dryRun && report.Added + report.Changed > 0)
        {
            // Findings follow the inventory at once rather than at the next background round.
            await findings.RecomputeAsync(context.OperatorActor(), context.TraceIdentifier, cancellationToken);
        }

        return TypedResults.Ok(InventoryImportView.From(report));
    }

    private static async Task<IResult> ListAsync(HttpContext context, InventoryReader reader, CancellationToken cancellationToken)
    {
        var q = context.Request.Query;
        var limit = 100;
        if (q["limit"].ToString() is { Length: > 0 } limitText && (!int.TryParse(limitText, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > 1000))
        {
            return Problem.BadRequest("limit: a number from 1 to 1000.");
        }

        (string, string)? after = null;
        if (q["after_source"].ToString() is { Length: > 0 } afterSource)
        {
            after = (afterSource, q["after"].ToString());
        }

        var items = await reader.ListAsync(
            new InventoryQuery
            {
                Source = NullIfEmpty(q["source"].ToString()),
                Owner = NullIfEmpty(q["owner"].ToString()),
                Kind = NullIfEmpty(q["kind"].ToString()),
                Prefix = NullIfEmpty(q["prefix"].ToString()),
                After = after,
                Limit = limit,
            },
            cancellationToken);
        return TypedResults.Ok(new InventoryListView(
            [.. items.Select(InventoryEntryView.From)],
            items.Count == limit ? new InventoryCursor(items[^1].Source, items[^1].ExternalId) : null));
    }

    private static string? NullIfEmpty(string text) => text.Length == 0 ? null : text;

    /// <summary>The last path segment of what the client calls the file; never a path on this machine.</summary>
    private static string? FileName(string text)
    {
        var name = text.Replace('\\', '/');
        name = name[(name.LastIndexOf('/') + 1)..].Trim();
        if (name.Length > MaxFileNameLength || name.Any(char.IsControl))
        {
            return null;
        }

        return name.Length == 0 ? "upload" : name;
    }

    /// <summary>An owner offboarded with <c>mandate offboard</c> takes no new identities: 409 <c>owner-departed</c>.</summary>
    private static async Task<IResult?> OwnerDepartedAsync(HttpContext context, string owner, CancellationToken cancellationToken)
    {
        if (owner.Length == 0)
        {
            return null;
        }

        var store = context.RequestServices.GetRequiredService<Mandate.Core.Storage.IMandateStore>();
        await using var session = await store.BeginAsync(Mandate.Core.Storage.StoreIntent.Read, cancellationToken);
        return await Mandate.Core.Governance.Offboarding.OffboardingService.DepartedAsync(session, owner, cancellationToken) is { } departed
            ? Problem.Result(StatusCodes.Status409Conflict, ProblemTypes.OwnerDeparted, $"owner: {departed.Owner} was offboarded ({departed.OffboardingId}); nothing new can be imported for it.")
            : null;
    }

    private static IResult TooLarge(long limit) => Problem.Result(
        StatusCodes.Status413PayloadTooLarge,
        ProblemTypes.PayloadTooLarge,
        $"The inventory file is too large: at most {limit.ToString(CultureInfo.InvariantCulture)} bytes; split the file and import the parts.");
}
