using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using Mandate.Core;
using Mandate.Core.Detection;
using Mandate.Core.Operators;
using Mandate.Core.Storage;
using Mandate.Server.Authentication;
using Mandate.Server.Http;
using Mandate.Server.Operators;
using Mandate.Server.Problems;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Mandate.Server.Detection;

/// <summary>
/// Alerts out and risk in: <c>GET /v1/alerts</c> (filters, paging; <c>format=ocsf</c>: OCSF Detection Findings), <c>GET /v1/alerts/stream</c> (server-sent events,
/// <c>Last-Event-ID</c> resume), and an identity's risk (<c>GET /v1/risk</c>, <c>GET /v1/risk/{identity}</c>,
/// <c>POST /v1/risk/{identity}/clear</c>). Admin only for now.
/// </summary>
internal static class AlertEndpoints
{
    private const int MaxIdentityLength = 2048;
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    public static IEndpointRouteBuilder MapAlertEndpoints(this IEndpointRouteBuilder app)
    {
        // Reading alerts and risk is an auditor's; clearing an identity's risk is a response, security's.
        var group = app.MapGroup("/v1").RequireOperatorRole(OperatorRole.Auditor);
        group.MapGet("/alerts", ListAsync);
        group.MapGet("/alerts/stream", StreamAsync);
        group.MapGet("/risk", ListRisk);
        group.MapGet("/risk/{identity}", GetRisk);
        group.MapPost("/risk/{identity}/clear", ClearRiskAsync).RequireOperatorRole(OperatorRole.Security);
        return app;
    }

    private static async Task<IResult> ListAsync(HttpRequest request, IMandateStore store, CancellationToken cancellationToken)
    {
        if (ParseQuery(request.Query, stream: false, out var query) is { } problem)
        {
            return problem;
        }

        if (Format(request.Query, out var ocsf) is { } formatProblem)
        {
            return formatProblem;
        }

        await using var session = await store.BeginAsync(StoreIntent.Read, cancellationToken);
        var alerts = await session.Get<IDetectionRepository>().QueryAlertsAsync(query, cancellationToken);
        if (ocsf)
        {
            // OCSF Detection Findings, in the same envelope (and paging) as the alerts.
            var next = alerts.Count == query.Limit ? alerts[^1].Sequence : (long?)null;
            var json = Core.Detection.Signals.SignalPayloads.Write(w =>
            {
                w.WriteStartObject();
                w.WriteStartArray("findings");
                foreach (var alert in alerts)
                {
                    AlertOcsfMapper.Write(w, alert, MandateServer.Version);
                }

                w.WriteEndArray();
                if (next is { } after)
                {
                    w.WriteNumber("next_after", after);
                }
                else
                {
                    w.WriteNull("next_after");
                }

                w.WriteEndObject();
            });
            return Results.Text(json, "application/json");
        }

        return TypedResults.Ok(new
        {
            alerts = alerts.Select(AlertView.From).ToList(),
            next_after = alerts.Count == query.Limit ? alerts[^1].Sequence : (long?)null,
        });
    }

    /// <summary>
    /// Server-sent events: every alert matching the filters after <c>Last-Event-ID</c> (or <c>after</c>), then each new
    /// one as it is committed; the event id is the alert's sequence number, so a reconnecting client resumes exactly.
    /// Woken by this node's engine, and every <see cref="KeepAlive"/> (a comment line, and a look at the store for
    /// alerts another node committed).
    /// </summary>
    private static async Task<IResult> StreamAsync(HttpContext context, IMandateStore store, AlertSignal signal, IOptions<JsonOptions> json, IHostApplicationLifetime lifetime)
    {
        var request = context.Request;
        if (ParseQuery(request.Query, stream: true, out var query) is { } problem)
        {
            return problem;
        }

        if (request.Headers["Last-Event-ID"].ToString() is { Length: > 0 } lastEventId)
        {
            if (!long.TryParse(lastEventId, NumberStyles.None, CultureInfo.InvariantCulture, out var resumeAfter))
            {
                return Problem.BadRequest($"Last-Event-ID must be an alert sequence number (got '{Clip(lastEventId)}').", ProblemTypes.InvalidAlertQuery);
            }

            query = query with { AfterSequence = resumeAfter };
        }

        // Ends when the client goes away or the server stops (a stream never holds up shutdown).
        using var ending = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        var cancellationToken = ending.Token;
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-store";
        response.Headers["X-Accel-Buffering"] = "no";
        await response.Body.FlushAsync(cancellationToken);
        var options = json.Value.SerializerOptions;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                // Take the signal before reading, so an alert committed while the page is read still wakes the next wait.
                var next = signal.Next;
                IReadOnlyList<DetectionAlert> alerts;
                await using (var session = await store.BeginAsync(StoreIntent.Read, cancellationToken))
                {
                    alerts = await session.Get<IDetectionRepository>().QueryAlertsAsync(query with { Limit = AlertQuery.MaxLimit }, cancellationToken);
                }

                foreach (var alert in alerts)
                {
                    var data = JsonSerializer.Serialize(AlertView.From(alert), options);
                    await response.WriteAsync($"id: {alert.Sequence.ToString(CultureInfo.InvariantCulture)}\nevent: alert\ndata: {data}\n\n", cancellationToken);
                    query = query with { AfterSequence = alert.Sequence };
                }

                if (alerts.Count == AlertQuery.MaxLimit)
                {
                    continue;
                }

                await response.Body.FlushAsync(cancellationToken);
                if (await Task.WhenAny(next, Task.Delay(KeepAlive, cancellationToken)) != next)
                {
                    await response.WriteAsync(": keep-alive\n\n", cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away or the server is stopping: the stream simply ends (the client resumes with Last-Event-ID).
        }

        return Results.Empty;
    }

    private static IResult ListRisk(RiskService risk) =>
        TypedResults.Ok(new
        {
            identities = risk.Raised().Select(r => new
            {
                identity = r.Identity,
                score = r.Risk.Score,
                level = r.Risk.Level,
                updated_at = r.Stored.UpdatedAt,
                reason = r.Stored.Reason,
            }).ToList(),
        });

    private static IResult GetRisk(string identity, RiskService risk)
    {
        if (Identity(identity, out var id) is { } problem)
        {
            return problem;
        }

        var current = risk.Current(id);
        return TypedResults.Ok(new { identity = id, score = current.Score, level = current.Level });
    }

    private static async Task<IResult> ClearRiskAsync(string identity, HttpContext context, ClaimsPrincipal user, RiskService risk, CancellationToken cancellationToken)
    {
        if (Identity(identity, out var id) is { } problem)
        {
            return problem;
        }

        var (body, bodyProblem) = await JsonBody.ReadAsync<RiskClearRequest>(context, BodyLimits.Request, JsonBodyProblems.Framework, required: false);
        if (bodyProblem is not null)
        {
            return bodyProblem;
        }

        if (body?.Reason is { Length: > 1000 })
        {
            return Problem.BadRequest("reason: at most 1000 characters.");
        }

        var before = await risk.ClearAsync(id, TaskAuthorization.Caller(user), body?.Reason, context.TraceIdentifier, cancellationToken);
        var now = risk.Current(id);
        return TypedResults.Ok(new
        {
            identity = id,
            score = now.Score,
            level = now.Level,
            previous = new { score = before.Score, level = before.Level },
        });
    }

    /// <summary>The identity from the path: percent-decoded (a SPIFFE ID's slashes arrive as <c>%2F</c>).</summary>
    private static IResult? Identity(string raw, out string identity)
    {
        identity = Uri.UnescapeDataString(raw);
        if (string.IsNullOrWhiteSpace(identity) || identity.Length > MaxIdentityLength || identity.Any(char.IsControl))
        {
            return Problem.BadRequest($"The identity must be 1 to {MaxIdentityLength} printable characters, percent-encoded in the path (e.g. spiffe%3A%2F%2Fdemo.mandate.local%2Fagent%2Fsupport-assistant).", ProblemTypes.InvalidRiskIdentity);
        }

        return null;
    }

    private static IResult? ParseQuery(IQueryCollection q, bool stream, out AlertQuery query)
    {
        query = new AlertQuery();
        string? Value(string name) => q[name].Count > 0 && q[name].ToString() is { Length: > 0 } v ? v : null;
        var known = new HashSet<string>(StringComparer.Ordinal) { "rule", "identity", "since", "until", "after", "limit", "format" };
        if (q.Keys.FirstOrDefault(k => !known.Contains(k)) is { } unknown)
        {
            return Problem.BadRequest($"Unknown query parameter '{Clip(unknown)}'. Use {string.Join(", ", known)}.", ProblemTypes.InvalidAlertQuery);
        }

        // Besides the rules' alerts, a break-glass activation raises its own (Core.Exceptions.ExceptionService).
        if (Value("rule") is { } rule && !DetectionRuleNames.All.Contains(rule, StringComparer.Ordinal) && rule != Core.Exceptions.ExceptionService.BreakGlassAlertRule)
        {
            return Problem.BadRequest($"'rule' must be one of {string.Join(", ", DetectionRuleNames.All)}, {Core.Exceptions.ExceptionService.BreakGlassAlertRule} (got '{Clip(rule)}').", ProblemTypes.InvalidAlertQuery);
        }

        if (Value("identity") is { Length: > MaxIdentityLength })
        {
            return Problem.BadRequest($"'identity' is longer than {MaxIdentityLength} characters.", ProblemTypes.InvalidAlertQuery);
        }

        DateTimeOffset? since = null, until = null;
        foreach (var (name, assign) in new (string, Action<DateTimeOffset>)[] { ("since", v => since = v), ("until", v => until = v) })
        {
            if (Value(name) is { } text)
            {
                if (!Rfc3339.TryParse(text, out var parsed))
                {
                    return Problem.BadRequest($"'{name}' is not an RFC 3339 time (got '{Clip(text)}'), e.g. 2026-01-31T12:00:00Z.", ProblemTypes.InvalidAlertQuery);
                }

                assign(parsed);
            }
        }

        var after = 0L;
        if (Value("after") is { } afterText && !long.TryParse(afterText, NumberStyles.None, CultureInfo.InvariantCulture, out after))
        {
            return Problem.BadRequest($"'after' must be a non-negative alert sequence number (got '{Clip(afterText)}').", ProblemTypes.InvalidAlertQuery);
        }

        var limit = AlertQuery.DefaultLimit;
        if (Value("limit") is { } limitText && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > AlertQuery.MaxLimit))
        {
            return Problem.BadRequest($"'limit' must be between 1 and {AlertQuery.MaxLimit} (got '{Clip(limitText)}').", ProblemTypes.InvalidAlertQuery);
        }

        if (stream && Value("format") is not null)
        {
            return Problem.BadRequest("'format' does not apply to the stream: it sends alerts as GET /v1/alerts shows them.", ProblemTypes.InvalidAlertQuery);
        }

        if (stream && Value("limit") is not null)
        {
            return Problem.BadRequest("'limit' does not apply to the stream: it sends every alert after Last-Event-ID.", ProblemTypes.InvalidAlertQuery);
        }

        query = new AlertQuery { Rule = Value("rule"), Identity = Value("identity"), Since = since, Until = until, AfterSequence = after, Limit = limit };
        return null;
    }

    /// <summary><c>format</c>: <c>mandate</c> (the default) or <c>ocsf</c> (OCSF Detection Findings).</summary>
    private static IResult? Format(IQueryCollection q, out bool ocsf)
    {
        var format = q["format"].ToString();
        ocsf = format == "ocsf";
        return format is "" or "mandate" or "ocsf"
            ? null
            : Problem.BadRequest($"'format' must be mandate or ocsf (got '{Clip(format)}').", ProblemTypes.InvalidAlertQuery);
    }

    private static string Clip(string text) => text.Length > 64 ? text[..64] + "…" : text;

    /// <summary>The optional body of <c>POST /v1/risk/{identity}/clear</c>.</summary>
    internal sealed record RiskClearRequest(string? Reason);
}
