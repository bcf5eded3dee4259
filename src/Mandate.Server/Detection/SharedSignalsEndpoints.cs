using System.Security.Claims;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Mandate.Core.Detection.SharedSignals;
using Mandate.Core.Detection.Signals;
using Mandate.Core.Operators;
using Mandate.Server.Authentication;
using Mandate.Server.Http;
using Mandate.Server.Identity;
using Mandate.Server.Operators;
using Mandate.Server.Problems;
using Microsoft.Extensions.Options;

namespace Mandate.Server.Detection;

/// <summary>
/// OpenID Shared Signals Framework 1.0. Transmitter: the metadata (<c>/.well-known/ssf-configuration</c>), its SET
/// key (<c>/ssf/jwks</c>), stream management (<c>/ssf/streams</c>, <c>/ssf/status</c>, <c>/ssf/subjects:add</c>,
/// <c>/ssf/subjects:remove</c>, <c>/ssf/verify</c>; the security role) and polling (RFC 8936,
/// <c>/ssf/poll/{stream_id}</c>). Receiver: <c>POST /ssf/receiver</c> (RFC 8935 push; the SET's signature against a
/// configured transmitter's JWKS is the authentication).
/// </summary>
internal static class SharedSignalsEndpoints
{
    public const string ConfigurationPath = "/.well-known/ssf-configuration";
    public const string JwksPath = "/ssf/jwks";
    public const string StreamsPath = "/ssf/streams";
    public const string StatusPath = "/ssf/status";
    public const string AddSubjectPath = "/ssf/subjects:add";
    public const string RemoveSubjectPath = "/ssf/subjects:remove";
    public const string VerifyPath = "/ssf/verify";
    public const string PollPath = "/ssf/poll/";
    public const string ReceiverPath = "/ssf/receiver";

    public static IEndpointRouteBuilder MapSharedSignalsEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet(ConfigurationPath, Configuration).AllowAnonymous();
        app.MapGet(JwksPath, (SsfSigningKey key) => Results.Text(key.Jwks, "application/jwk-set+json")).AllowAnonymous();
        var streams = app.MapGroup(string.Empty).RequireOperatorRole(OperatorRole.Security);
        streams.MapPost(StreamsPath, CreateAsync);
        streams.MapGet(StreamsPath, ReadAsync);
        streams.MapPatch(StreamsPath, (HttpContext c, ClaimsPrincipal u, SsfTransmitter t, ISsfIssuer i, PublicBaseUrl b, CancellationToken ct) => UpdateAsync(c, u, t, i, b, replace: false, ct));
        streams.MapPut(StreamsPath, (HttpContext c, ClaimsPrincipal u, SsfTransmitter t, ISsfIssuer i, PublicBaseUrl b, CancellationToken ct) => UpdateAsync(c, u, t, i, b, replace: true, ct));
        streams.MapDelete(StreamsPath, DeleteAsync);
        streams.MapGet(StatusPath, GetStatusAsync);
        streams.MapPost(StatusPath, SetStatusAsync);
        streams.MapPost(AddSubjectPath, (HttpContext c, ClaimsPrincipal u, SsfTransmitter t, CancellationToken ct) => SubjectAsync(c, u, t, include: true, ct));
        streams.MapPost(RemoveSubjectPath, (HttpContext c, ClaimsPrincipal u, SsfTransmitter t, CancellationToken ct) => SubjectAsync(c, u, t, include: false, ct));
        streams.MapPost(VerifyPath, VerifyAsync);
        streams.MapPost(PollPath + "{streamId}", PollAsync);
        app.MapPost(ReceiverPath, ReceiveAsync).AllowAnonymous().RequireRateLimiting(AttestationRateLimiting.PolicyName);
        return app;
    }

    private static IResult Configuration(ISsfIssuer issuer, PublicBaseUrl baseUrl)
    {
        var root = baseUrl.Value();
        return TypedResults.Ok(new JsonObject
        {
            ["spec_version"] = "1_0",
            ["issuer"] = issuer.Issuer,
            ["jwks_uri"] = root + JwksPath,
            ["delivery_methods_supported"] = new JsonArray(SsfDeliveryMethods.Push, SsfDeliveryMethods.Poll),
            ["configuration_endpoint"] = root + StreamsPath,
            ["status_endpoint"] = root + StatusPath,
            ["add_subject_endpoint"] = root + AddSubjectPath,
            ["remove_subject_endpoint"] = root + RemoveSubjectPath,
            ["verification_endpoint"] = root + VerifyPath,
            ["authorization_schemes"] = new JsonArray(new JsonObject { ["spec_urn"] = "urn:ietf:rfc:6750" }),
            ["default_subjects"] = "ALL",
        });
    }

    private static async Task<IResult> CreateAsync(HttpContext context, ClaimsPrincipal user, SsfTransmitter transmitter, ISsfIssuer issuer, PublicBaseUrl baseUrl, CancellationToken cancellationToken)
    {
        var (draft, problem) = await ReadDraftAsync(context);
        if (problem is not null)
        {
            return problem;
        }

        var (stream, error) = await transmitter.CreateAsync(draft!.Draft, TaskAuthorization.Caller(user), context.TraceIdentifier, cancellationToken);
        return error is not null
            ? Problem.BadRequest(error, ProblemTypes.InvalidSsfStream)
            : TypedResults.Created(StreamsPath + "?stream_id=" + stream!.Id, View(stream, issuer, baseUrl));
    }

    private static async Task<IResult> ReadAsync(HttpRequest request, SsfTransmitter transmitter, ISsfIssuer issuer, PublicBaseUrl baseUrl, CancellationToken cancellationToken)
    {
        if (request.Query["stream_id"].ToString() is { Length: > 0 } id)
        {
            return await transmitter.GetAsync(id, cancellationToken) is { } stream ? TypedResults.Ok(View(stream, issuer, baseUrl)) : StreamNotFound(id);
        }

        var all = await transmitter.ListAsync(cancellationToken);
        return TypedResults.Ok(new JsonArray([.. all.Select(s => (JsonNode)View(s, issuer, baseUrl))]));
    }

    private static async Task<IResult> UpdateAsync(HttpContext context, ClaimsPrincipal user, SsfTransmitter transmitter, ISsfIssuer issuer, PublicBaseUrl baseUrl, bool replace, CancellationToken cancellationToken)
    {
        var (draft, problem) = await ReadDraftAsync(context);
        if (problem is not null)
        {
            return problem;
        }

        if (draft!.StreamId is not { Length: > 0 } id)
        {
            return Problem.BadRequest("stream_id: required.", ProblemTypes.InvalidSsfStream);
        }

        var (stream, error, found) = await transmitter.UpdateAsync(id, draft.Draft, replace, TaskAuthorization.Caller(user), context.TraceIdentifier, cancellationToken);
        return !found ? StreamNotFound(id)
            : error is not null ? Problem.BadRequest(error, ProblemTypes.InvalidSsfStream)
            : TypedResults.Ok(View(stream!, issuer, baseUrl));
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, ClaimsPrincipal user, SsfTransmitter transmitter, CancellationToken cancellationToken)
    {
        if (context.Request.Query["stream_id"].ToString() is not { Length: > 0 } id)
        {
            return Problem.BadRequest("stream_id: required (query parameter).", ProblemTypes.InvalidSsfStream);
        }

        return await transmitter.DeleteAsync(id, TaskAuthorization.Caller(user), context.TraceIdentifier, cancellationToken) ? TypedResults.NoContent() : StreamNotFound(id);
    }

    private static async Task<IResult> GetStatusAsync(HttpRequest request, SsfTransmitter transmitter, CancellationToken cancellationToken)
    {
        if (request.Query["stream_id"].ToString() is not { Length: > 0 } id)
        {
            return Problem.BadRequest("stream_id: required (query parameter).", ProblemTypes.InvalidSsfStream);
        }

        return await transmitter.GetAsync(id, cancellationToken) is { } stream ? TypedResults.Ok(StatusView(stream)) : StreamNotFound(id);
    }

    private static async Task<IResult> SetStatusAsync(HttpContext context, ClaimsPrincipal user, SsfTransmitter transmitter, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<StatusRequest>(context, BodyLimits.Request, JsonBodyProblems.Admin);
        if (problem is not null)
        {
            return problem;
        }

        if (body!.StreamId is not { Length: > 0 } id)
        {
            return Problem.BadRequest("stream_id: required.", ProblemTypes.InvalidSsfStream);
        }

        var (stream, error) = await transmitter.SetStatusAsync(id, body.Status, body.Reason, TaskAuthorization.Caller(user), context.TraceIdentifier, cancellationToken);
        return error is not null ? Problem.BadRequest(error, ProblemTypes.InvalidSsfStream)
            : stream is null ? StreamNotFound(id)
            : TypedResults.Ok(StatusView(stream));
    }

    private static async Task<IResult> SubjectAsync(HttpContext context, ClaimsPrincipal user, SsfTransmitter transmitter, bool include, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<SubjectRequest>(context, BodyLimits.Request, JsonBodyProblems.Admin);
        if (problem is not null)
        {
            return problem;
        }

        if (body!.StreamId is not { Length: > 0 } id)
        {
            return Problem.BadRequest("stream_id: required.", ProblemTypes.InvalidSsfStream);
        }

        if (body.Subject is not { } subject)
        {
            return Problem.BadRequest("subject: required.", ProblemTypes.InvalidSsfStream);
        }

        if (SsfSubjects.Validate(subject) is { } invalid)
        {
            return Problem.BadRequest(invalid, ProblemTypes.InvalidSsfStream);
        }

        if (!await transmitter.SetSubjectAsync(id, subject, include, TaskAuthorization.Caller(user), context.TraceIdentifier, cancellationToken))
        {
            return StreamNotFound(id);
        }

        return include ? TypedResults.Ok() : TypedResults.NoContent();
    }

    private static async Task<IResult> VerifyAsync(HttpContext context, SsfTransmitter transmitter, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<VerifyRequest>(context, BodyLimits.Request, JsonBodyProblems.Admin);
        if (problem is not null)
        {
            return problem;
        }

        if (body!.StreamId is not { Length: > 0 } id)
        {
            return Problem.BadRequest("stream_id: required.", ProblemTypes.InvalidSsfStream);
        }

        if (body.State is { Length: > 1000 })
        {
            return Problem.BadRequest("state: at most 1000 characters.", ProblemTypes.InvalidSsfStream);
        }

        return await transmitter.VerifyAsync(id, body.State, cancellationToken) ? TypedResults.NoContent() : StreamNotFound(id);
    }

    /// <summary>
    /// RFC 8936: acknowledge, report errors, and take up to <c>maxEvents</c> SETs; with <c>returnImmediately: false</c>
    /// and nothing waiting, the answer waits (up to <c>Mandate:SharedSignals:LongPollTimeout</c>) for the next one.
    /// </summary>
    private static async Task<IResult> PollAsync(string streamId, HttpContext context, SsfTransmitter transmitter, SignalWake wake, IOptions<SsfOptions> options, IHostApplicationLifetime lifetime)
    {
        var (body, problem) = await JsonBody.ReadAsync<PollRequest>(context, BodyLimits.Request, JsonBodyProblems.Admin, required: false);
        if (problem is not null)
        {
            return problem;
        }

        body ??= new PollRequest(null, null, null, null);
        if (body.MaxEvents is < 0 or > SsfTransmitter.MaxPollEvents)
        {
            return Problem.BadRequest($"maxEvents: between 0 and {SsfTransmitter.MaxPollEvents}.", ProblemTypes.InvalidSsfStream);
        }

        if (body.Ack is { Count: > SsfTransmitter.MaxPollEvents } || body.SetErrs is { Count: > SsfTransmitter.MaxPollEvents })
        {
            return Problem.BadRequest($"ack, setErrs: at most {SsfTransmitter.MaxPollEvents} each.", ProblemTypes.InvalidSsfStream);
        }

        IReadOnlyDictionary<string, string> errors = (body.SetErrs ?? new Dictionary<string, SetErrorEntry?>()).ToDictionary(
            p => p.Key,
            p => $"{p.Value?.Err ?? "error"}: {p.Value?.Description ?? string.Empty}".Trim(' ', ':'),
            StringComparer.Ordinal);
        using var ending = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        var cancellationToken = ending.Token;
        var deadline = DateTime.UtcNow + options.Value.LongPollTimeout;
        var maxEvents = body.MaxEvents ?? SsfTransmitter.DefaultPollEvents;
        IReadOnlyCollection<string> acks = body.Ack ?? [];
        while (true)
        {
            var next = wake.Next;
            var result = await transmitter.PollAsync(streamId, maxEvents, acks, errors, cancellationToken);
            if (result is null)
            {
                return StreamNotFound(streamId);
            }

            acks = [];
            errors = new Dictionary<string, string>();
            var (sets, more) = result.Value;
            var remaining = deadline - DateTime.UtcNow;
            if (sets.Count > 0 || body.ReturnImmediately == true || maxEvents == 0 || remaining <= TimeSpan.Zero)
            {
                var map = new JsonObject();
                foreach (var (jti, set) in sets)
                {
                    map[jti] = set;
                }

                return TypedResults.Ok(new JsonObject { ["sets"] = map, ["moreAvailable"] = more });
            }

            try
            {
                await Task.WhenAny(next, Task.Delay(remaining < TimeSpan.FromSeconds(1) ? remaining : TimeSpan.FromSeconds(1), cancellationToken));
                cancellationToken.ThrowIfCancellationRequested();
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return Results.Empty;
            }
        }
    }

    /// <summary>RFC 8935: 202 when the SET is accepted; 400 with <c>{"err","description"}</c> when it is not.</summary>
    private static async Task<IResult> ReceiveAsync(HttpContext context, SsfReceiver receiver, CancellationToken cancellationToken)
    {
        if (!receiver.Configured)
        {
            return SetError(StatusCodes.Status404NotFound, "invalid_issuer", "This server receives no Shared Signals (Mandate:SharedSignals:Transmitters is empty).");
        }

        var contentType = context.Request.ContentType ?? string.Empty;
        if (!contentType.StartsWith("application/secevent+jwt", StringComparison.OrdinalIgnoreCase))
        {
            return SetError(StatusCodes.Status400BadRequest, "invalid_request", "Send the SET as application/secevent+jwt (RFC 8935).");
        }

        string token;
        using (var reader = new StreamReader(new BoundedReadStream(context.Request.Body, SsfReceiver.MaxSetBytes), Encoding.ASCII))
        {
            try
            {
                token = await reader.ReadToEndAsync(cancellationToken);
            }
            catch (BadHttpRequestException)
            {
                return SetError(StatusCodes.Status413PayloadTooLarge, "invalid_request", $"A SET is at most {SsfReceiver.MaxSetBytes} bytes.");
            }
        }

        var receipt = await receiver.ReceiveAsync(token, cancellationToken);
        return receipt.Ok ? TypedResults.Accepted((string?)null) : SetError(StatusCodes.Status400BadRequest, receipt.Error!, receipt.Description!);
    }

    private static IResult SetError(int status, string err, string description) =>
        Results.Json(new JsonObject { ["err"] = err, ["description"] = description }, statusCode: status, contentType: "application/json");

    private static JsonObject View(SsfStream stream, ISsfIssuer issuer, PublicBaseUrl baseUrl)
    {
        var delivery = new JsonObject
        {
            ["method"] = stream.DeliveryMethod,
            ["endpoint_url"] = stream.IsPush ? stream.EndpointUrl!.OriginalString : baseUrl.Value() + PollPath + stream.Id,
        };
        return new JsonObject
        {
            ["stream_id"] = stream.Id,
            ["iss"] = issuer.Issuer,
            ["aud"] = stream.Audience.Count == 1 ? JsonValue.Create(stream.Audience[0]) : new JsonArray([.. stream.Audience.Select(a => (JsonNode?)JsonValue.Create(a))]),
            ["delivery"] = delivery,
            ["events_supported"] = new JsonArray([.. SsfEventTypes.Supported.Select(e => (JsonNode?)JsonValue.Create(e))]),
            ["events_requested"] = new JsonArray([.. stream.EventsRequested.Select(e => (JsonNode?)JsonValue.Create(e))]),
            ["events_delivered"] = new JsonArray([.. stream.EventsDelivered.Select(e => (JsonNode?)JsonValue.Create(e))]),
            ["description"] = stream.Description,
            ["min_verification_interval"] = 0,
        };
    }

    private static JsonObject StatusView(SsfStream stream)
    {
        var view = new JsonObject { ["stream_id"] = stream.Id, ["status"] = stream.Status };
        if (stream.Reason is not null)
        {
            view["reason"] = stream.Reason;
        }

        return view;
    }

    private static IResult StreamNotFound(string id) =>
        Problem.Result(StatusCodes.Status404NotFound, ProblemTypes.SsfStreamNotFound, $"There is no stream '{(id.Length > 64 ? id[..64] + "…" : id)}'.");

    private static async Task<(ParsedDraft? Draft, IResult? Problem)> ReadDraftAsync(HttpContext context)
    {
        var (body, problem) = await JsonBody.ReadAsync<StreamRequest>(context, BodyLimits.Request, JsonBodyProblems.Admin);
        if (problem is not null)
        {
            return (null, problem);
        }

        IReadOnlyList<string>? audience = null;
        if (body!.Aud is { } aud)
        {
            audience = aud.ValueKind switch
            {
                JsonValueKind.String => [aud.GetString()!],
                JsonValueKind.Array when aud.EnumerateArray().All(a => a.ValueKind == JsonValueKind.String) => [.. aud.EnumerateArray().Select(a => a.GetString()!)],
                _ => null,
            };
            if (audience is null)
            {
                return (null, Problem.BadRequest("aud: a string or an array of strings.", ProblemTypes.InvalidSsfStream));
            }
        }

        return (new ParsedDraft(body.StreamId, new SsfStreamDraft
        {
            Method = body.Delivery?.Method,
            EndpointUrl = body.Delivery?.EndpointUrl,
            AuthorizationHeader = body.Delivery?.AuthorizationHeader,
            EventsRequested = body.EventsRequested,
            Description = body.Description,
            Audience = audience,
        }), null);
    }

    private sealed record ParsedDraft(string? StreamId, SsfStreamDraft Draft);

    /// <summary>A stream configuration as a receiver sends it (transmitter-supplied members it echoes back are ignored).</summary>
    internal sealed record StreamRequest(string? StreamId, DeliveryRequest? Delivery, IReadOnlyList<string>? EventsRequested, string? Description, JsonElement? Aud);

    internal sealed record DeliveryRequest(string? Method, string? EndpointUrl, string? AuthorizationHeader);

    internal sealed record StatusRequest(string? StreamId, string? Status, string? Reason);

    internal sealed record SubjectRequest(string? StreamId, JsonElement? Subject, bool? Verified);

    internal sealed record VerifyRequest(string? StreamId, string? State);

    /// <summary>An RFC 8936 poll request (its members are camelCase on the wire).</summary>
    internal sealed record PollRequest(
        [property: JsonPropertyName("maxEvents")] int? MaxEvents,
        [property: JsonPropertyName("returnImmediately")] bool? ReturnImmediately,
        [property: JsonPropertyName("ack")] IReadOnlyList<string>? Ack,
        [property: JsonPropertyName("setErrs")] IReadOnlyDictionary<string, SetErrorEntry?>? SetErrs);

    internal sealed record SetErrorEntry([property: JsonPropertyName("err")] string? Err, [property: JsonPropertyName("description")] string? Description);
}
