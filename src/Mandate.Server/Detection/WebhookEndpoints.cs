using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using Mandate.Core.Detection.Signals;
using Mandate.Core.Detection.Webhooks;
using Mandate.Core.Operators;
using Mandate.Server.Authentication;
using Mandate.Server.Http;
using Mandate.Server.Operators;
using Mandate.Server.Problems;

namespace Mandate.Server.Detection;

/// <summary>
/// Signed webhooks (Standard Webhooks): <c>POST /v1/webhooks</c> adds an endpoint and answers its secret, once;
/// <c>GET /v1/webhooks</c>, <c>DELETE /v1/webhooks/{id}</c>; the dead-letter list <c>GET /v1/webhooks/dead-letters</c>;
/// redelivery of one message (<c>POST /v1/webhooks/messages/{id}/redeliver</c>) or of every dead message of an endpoint
/// (<c>POST /v1/webhooks/{id}/redeliver</c>). Configuring where alerts go is a response: the security role's.
/// </summary>
internal static class WebhookEndpoints
{
    private const int MaxIdLength = 64;

    public static IEndpointRouteBuilder MapWebhookEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/webhooks").RequireOperatorRole(OperatorRole.Security);
        group.MapPost(string.Empty, AddAsync);
        group.MapGet(string.Empty, ListAsync);
        group.MapGet("/dead-letters", DeadLettersAsync);
        group.MapDelete("/{id}", RemoveAsync);
        group.MapPost("/{id}/redeliver", RedeliverEndpointAsync);
        group.MapPost("/messages/{id}/redeliver", RedeliverMessageAsync);
        return app;
    }

    private static async Task<IResult> AddAsync(HttpContext context, ClaimsPrincipal user, WebhookService webhooks, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<WebhookRequest>(context, BodyLimits.Request, JsonBodyProblems.Admin);
        if (problem is not null)
        {
            return problem;
        }

        if (body!.Events is { Count: > 20 })
        {
            return Problem.BadRequest("events: at most 20.", ProblemTypes.InvalidWebhook);
        }

        var (endpoint, secret, error) = await webhooks.AddAsync(body.Url, body.Events, body.Description, TaskAuthorization.Caller(user), context.TraceIdentifier, cancellationToken);
        if (error is not null)
        {
            return Problem.BadRequest(error, ProblemTypes.InvalidWebhook);
        }

        context.Response.Headers.CacheControl = "no-store";
        return TypedResults.Created("/v1/webhooks/" + endpoint!.Id, new
        {
            id = endpoint.Id,
            url = endpoint.Url.OriginalString,
            events = endpoint.Events,
            description = endpoint.Description,
            created_at = endpoint.CreatedAt,
            created_by = endpoint.CreatedBy,
            secret,
        });
    }

    private static async Task<IResult> ListAsync(WebhookService webhooks, CancellationToken cancellationToken)
    {
        var endpoints = await webhooks.ListAsync(cancellationToken);
        return TypedResults.Ok(new { webhooks = endpoints.Select(View).ToList() });
    }

    private static async Task<IResult> RemoveAsync(string id, HttpContext context, ClaimsPrincipal user, WebhookService webhooks, CancellationToken cancellationToken) =>
        ValidId(id) && await webhooks.RemoveAsync(id, TaskAuthorization.Caller(user), context.TraceIdentifier, cancellationToken)
            ? TypedResults.NoContent()
            : NotFound("webhook endpoint", id);

    private static async Task<IResult> DeadLettersAsync(HttpRequest request, WebhookService webhooks, CancellationToken cancellationToken)
    {
        var known = new HashSet<string>(StringComparer.Ordinal) { "webhook", "limit" };
        if (request.Query.Keys.FirstOrDefault(k => !known.Contains(k)) is { } unknown)
        {
            return Problem.BadRequest($"Unknown query parameter '{Clip(unknown)}'. Use webhook, limit.", ProblemTypes.InvalidWebhook);
        }

        var limit = 100;
        if (request.Query["limit"].ToString() is { Length: > 0 } text && (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > 1000))
        {
            return Problem.BadRequest($"'limit' must be between 1 and 1000 (got '{Clip(text)}').", ProblemTypes.InvalidWebhook);
        }

        var webhook = request.Query["webhook"].ToString() is { Length: > 0 } w ? w : null;
        if (webhook is not null && !ValidId(webhook))
        {
            return Problem.BadRequest($"'webhook' is not a webhook id (got '{Clip(webhook)}').", ProblemTypes.InvalidWebhook);
        }

        var dead = await webhooks.DeadLettersAsync(webhook, limit, cancellationToken);
        return TypedResults.Ok(new { messages = dead.Select(MessageView).ToList() });
    }

    private static async Task<IResult> RedeliverEndpointAsync(string id, HttpContext context, ClaimsPrincipal user, WebhookService webhooks, CancellationToken cancellationToken)
    {
        var ids = ValidId(id) ? await webhooks.RedeliverAsync(null, id, TaskAuthorization.Caller(user), context.TraceIdentifier, cancellationToken) : null;
        return ids is null ? NotFound("webhook endpoint", id) : TypedResults.Ok(new { redelivered = ids });
    }

    private static async Task<IResult> RedeliverMessageAsync(string id, HttpContext context, ClaimsPrincipal user, WebhookService webhooks, CancellationToken cancellationToken)
    {
        var ids = ValidId(id) ? await webhooks.RedeliverAsync(id, null, TaskAuthorization.Caller(user), context.TraceIdentifier, cancellationToken) : null;
        return ids is null ? NotFound("webhook message", id) : TypedResults.Ok(new { redelivered = ids });
    }

    private static object View(WebhookEndpoint endpoint) => new
    {
        id = endpoint.Id,
        url = WebhookService.Display(endpoint.Url),
        events = endpoint.Events,
        description = endpoint.Description,
        created_at = endpoint.CreatedAt,
        created_by = endpoint.CreatedBy,
    };

    private static object MessageView(SignalDelivery message) => new
    {
        id = message.Id,
        webhook_id = message.Target,
        type = message.EventType,
        created_at = message.CreatedAt,
        attempts = message.Attempts,
        last_status = message.LastStatus,
        last_error = message.LastError,
        failed_at = message.DoneAt,
        payload = JsonDocument.Parse(message.Payload).RootElement.Clone(),
    };

    private static IResult NotFound(string what, string id) =>
        Problem.Result(StatusCodes.Status404NotFound, ProblemTypes.WebhookNotFound, $"There is no {what} '{Clip(id)}'.");

    private static bool ValidId(string id) => id.Length is > 0 and <= MaxIdLength && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');

    private static string Clip(string text) => text.Length > 64 ? text[..64] + "…" : text;

    /// <summary>The body of <c>POST /v1/webhooks</c>.</summary>
    internal sealed record WebhookRequest(string? Url, IReadOnlyList<string>? Events, string? Description);
}
