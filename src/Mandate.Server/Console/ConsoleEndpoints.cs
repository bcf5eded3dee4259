using System.Globalization;
using Mandate.Core.Operators;
using Mandate.Core.Storage;
using Mandate.Server.Audit;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.Extensions.Options;

namespace Mandate.Server.Console;

/// <summary>
/// Maps the console: its pages (Razor components rendered on the server), its stylesheet and live-region script, sign-out and the
/// audit downloads (the same export and proof code as <c>/v1/audit/export</c> and <c>/v1/audit/events/{seq}/proof</c>,
/// for the signed-in person's cookie instead of a bearer token). Its middleware (security headers, antiforgery) runs
/// in a branch taken only for <c>/console</c>, so the decision path pays nothing for it.
/// </summary>
internal static class ConsoleEndpoints
{
    private const string StylesheetPath = ConsolePaths.Root + "/console.css";
    private const string ScriptPath = ConsolePaths.Root + "/console.js";

    public static WebApplication UseConsole(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<IOptions<ConsoleOptions>>().Value.Enabled)
        {
            return app;
        }

        app.UseWhen(ConsolePaths.IsConsole, branch =>
        {
            branch.Use(static async (context, next) =>
            {
                ConsoleHeaders.Apply(context.Response);

                // The signed-in operator becomes the request's user before antiforgery runs: a form's token is bound
                // to the person it was rendered for, and checked against the same person when it comes back.
                if (!context.Request.Path.Equals(StylesheetPath, StringComparison.OrdinalIgnoreCase)
                    && !context.Request.Path.Equals(ScriptPath, StringComparison.OrdinalIgnoreCase))
                {
                    await context.RequestServices.GetRequiredService<ConsoleSession>().ResolveAsync(context);
                }

                await next(context);
            });
            branch.UseAntiforgery();
        });
        return app;
    }

    public static WebApplication MapConsole(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<IOptions<ConsoleOptions>>().Value.Enabled)
        {
            return app;
        }

        app.MapRazorComponents<ConsoleApp>().AllowAnonymous();
        app.MapGet(StylesheetPath, ConsoleAssets.Stylesheet).AllowAnonymous();
        app.MapGet(ScriptPath, ConsoleAssets.Script).AllowAnonymous();
        app.MapPost(ConsolePaths.Root + "/sign-out", SignOutAsync).AllowAnonymous();
        app.MapGet(ConsolePaths.Root + "/audit/export", ExportAsync).AllowAnonymous();
        app.MapGet(ConsolePaths.Root + "/audit/proof", ProofAsync).AllowAnonymous();
        app.MapGet(ConsolePaths.Root + "/compliance/report", ComplianceReportAsync).AllowAnonymous();
        ConsoleOidc.Map(app);
        return app;
    }

    private static async Task<IResult> SignOutAsync(HttpContext context, IAntiforgery antiforgery, ConsoleSession session)
    {
        if (await session.CurrentAsync(context) is null)
        {
            // Already signed out (expired, revoked): nothing to protect, only the cookie to clear.
            await session.SignOutAsync(context);
            return Results.Redirect(ConsolePaths.Root);
        }

        if (!await antiforgery.IsRequestValidAsync(context))
        {
            return Results.BadRequest();
        }

        await session.SignOutAsync(context);
        return Results.Redirect(ConsolePaths.Root);
    }

    private static async Task ExportAsync(HttpContext context, ConsoleSession session, IMandateStore store, TimeProvider time)
    {
        if (await session.CurrentAsync(context) is not { } acting || !acting.Holds(OperatorRole.Auditor))
        {
            context.Response.Redirect(ConsolePaths.Root);
            return;
        }

        context.Response.Headers.ContentDisposition = "attachment; filename=\"mandate-audit.jsonl\"";
        await AuditEndpoints.ExportAsync(context, store, time);
    }

    /// <summary>The compliance report download: <c>GET /v1/compliance/report</c>'s code and formats, for the cookie (auditor role).</summary>
    private static async Task<IResult> ComplianceReportAsync(HttpContext context, ConsoleSession session, Core.Governance.Compliance.ComplianceService compliance)
    {
        if (await session.CurrentAsync(context) is not { } acting || !acting.Holds(OperatorRole.Auditor))
        {
            return Results.Redirect(ConsolePaths.Root);
        }

        var extension = context.Request.Query["format"].ToString() is { Length: > 0 } format ? format : "json";
        if (extension is "json" or "md" or "html")
        {
            context.Response.Headers.ContentDisposition = $"attachment; filename=\"mandate-compliance.{extension}\"";
        }

        return await Governance.ComplianceEndpoints.ReportAsync(context, compliance, context.RequestAborted);
    }

    private static async Task<IResult> ProofAsync(HttpContext context, ConsoleSession session, IMandateStore store, string? seq)
    {
        if (await session.CurrentAsync(context) is not { } acting || !acting.Holds(OperatorRole.Auditor))
        {
            return Results.Redirect(ConsolePaths.Root);
        }

        if (!long.TryParse(seq, NumberStyles.None, CultureInfo.InvariantCulture, out var sequence) || sequence < 1)
        {
            return Problems.Problem.BadRequest("seq: the event's sequence number, a whole number from 1.", Problems.ProblemTypes.InvalidAuditQuery);
        }

        context.Response.Headers.ContentDisposition = $"attachment; filename=\"mandate-proof-{sequence.ToString(CultureInfo.InvariantCulture)}.json\"";
        return await AuditEndpoints.ProofOfAsync(sequence, store, context.RequestAborted);
    }
}
