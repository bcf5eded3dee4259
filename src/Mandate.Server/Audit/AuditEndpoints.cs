using System.Globalization;
using System.Security.Claims;
using Mandate.Core;
using Mandate.Core.Audit;
using Mandate.Core.Storage;
using Mandate.Core.Operators;
using Mandate.Server.Authentication;
using Mandate.Server.Operators;
using Mandate.Server.Http;
using Mandate.Server.Problems;

namespace Mandate.Server.Audit;

internal static class AuditEndpoints
{
    private const int MaxFieldLength = 2048;
    private const int MaxDetails = 64;

    public static IEndpointRouteBuilder MapAuditEndpoints(this IEndpointRouteBuilder app)
    {
        // The ledger is the auditor's to read; writing to it (an annotation, a checkpoint on demand) is security's.
        var admin = app.MapGroup("/v1/audit").RequireOperatorRole(OperatorRole.Auditor);
        admin.MapGet("/verify", VerifyAsync);
        admin.MapGet("/events", QueryAsync);
        admin.MapPost("/events", AnnotateAsync).RequireOperatorRole(OperatorRole.Security);
        admin.MapGet("/events/{seq}/proof", ProofAsync);
        admin.MapGet("/checkpoints", CheckpointsAsync);
        admin.MapPost("/checkpoints", CheckpointAsync).RequireOperatorRole(OperatorRole.Security);
        admin.MapGet("/export", ExportAsync);
        app.MapGet("/v1/audit/keys", KeysAsync).AllowAnonymous();
        app.MapAuditTimelineEndpoints();
        return app;
    }

    private static async Task<IResult> VerifyAsync(IMandateStore store, CancellationToken cancellationToken)
    {
        var result = await AuditStoreVerifier.VerifyAsync(store, null, cancellationToken);
        return TypedResults.Ok(new
        {
            status = result.Verified ? "verified" : "broken",
            verified = result.Verified,
            events = result.Events,
            checkpoints = result.Checkpoints,
            last_seq = result.LastSequence,
            head_hash = result.HeadHash,
            unsigned_events = result.UnsignedEvents,
            failure = result.Failure is { } f ? new { position = f.Position, seq = f.Sequence, reason = f.Reason } : null,
            notes = result.Notes,
            key_ids = result.KeyIds,
        });
    }

    private static async Task<IResult> QueryAsync(HttpRequest request, IMandateStore store, CancellationToken cancellationToken)
    {
        if (ParseQuery(request.Query, out var query) is { } problem)
        {
            return problem;
        }

        await using var session = await store.BeginAsync(StoreIntent.Read, cancellationToken);
        var records = await session.Get<IAuditRepository>().QueryAsync(query, cancellationToken);
        return TypedResults.Ok(new
        {
            events = records.Select(AuditEventView.From).ToList(),
            next_after = records.Count == query.Limit ? records[^1].Sequence : (long?)null,
        });
    }

    private static async Task<IResult> AnnotateAsync(ClaimsPrincipal user, HttpContext context, IAuditTrail trail, CancellationToken cancellationToken)
    {
        var (body, bodyProblem) = await JsonBody.ReadAsync<AuditAnnotationRequest>(context, BodyLimits.Request, JsonBodyProblems.Framework, required: false);
        if (bodyProblem is not null)
        {
            return bodyProblem;
        }

        if (body is null)
        {
            return Problem.BadRequest("The body must be a JSON object such as {\"reason\":\"…\"}.", ProblemTypes.InvalidAuditAnnotation);
        }

        var type = body.Type ?? "annotation";
        if (type != "annotation" && !(type.StartsWith("annotation.", StringComparison.Ordinal) && type.Length > "annotation.".Length))
        {
            return Problem.BadRequest($"'type' must be 'annotation' or start with 'annotation.' (got '{type}'): operators annotate the ledger, they do not forge other events.", ProblemTypes.InvalidAuditAnnotation);
        }

        string?[] fields = [type, body.Subject, body.Action, body.Resource, body.TaskId, body.Reason];
        if (fields.Any(f => f is { Length: > MaxFieldLength }) || body.Details is { Count: > MaxDetails }
            || body.Details?.Any(d => d.Key.Length > 128 || d.Value is null || d.Value.Length > MaxFieldLength) == true)
        {
            return Problem.BadRequest($"A field is too long (at most {MaxFieldLength} characters, {MaxDetails} details with keys of at most 128 characters and non-null values).", ProblemTypes.InvalidAuditAnnotation);
        }

        var record = await trail.AppendAsync(
            new AuditEvent
            {
                Type = type,
                Actor = ActingOperator.ActorOf(user),
                Subject = body.Subject,
                Action = body.Action,
                Resource = body.Resource,
                TaskId = body.TaskId,
                Reason = body.Reason,
                RequestId = context.TraceIdentifier,
                Details = body.Details,
            },
            cancellationToken);
        return TypedResults.Created($"/v1/audit/events?after={(record.Sequence - 1).ToString(CultureInfo.InvariantCulture)}&limit=1", AuditEventView.From(record));
    }

    private static async Task<IResult> CheckpointsAsync(IMandateStore store, CancellationToken cancellationToken)
    {
        await using var session = await store.BeginAsync(StoreIntent.Read, cancellationToken);
        var checkpoints = await session.Get<IAuditRepository>().ReadCheckpointsAsync(cancellationToken);
        return TypedResults.Ok(new { checkpoints = checkpoints.Select(View).ToList() });
    }

    private static async Task<IResult> CheckpointAsync(AuditCheckpointer checkpointer, CancellationToken cancellationToken)
    {
        try
        {
            var checkpoint = await checkpointer.CheckpointAsync(cancellationToken);
            return checkpoint is null
                ? TypedResults.Ok(new { checkpoint = (object?)null, detail = "every event is already covered by a checkpoint" })
                : TypedResults.Created("/v1/audit/checkpoints", new { checkpoint = View(checkpoint) });
        }
        catch (AuditChainBrokenException ex)
        {
            return Problem.Conflict(ex.Message);
        }
    }

    private static async Task<IResult> ProofAsync(string seq, IMandateStore store, CancellationToken cancellationToken)
    {
        if (!long.TryParse(seq, NumberStyles.None, CultureInfo.InvariantCulture, out var sequence) || sequence < 1)
        {
            return Problem.BadRequest($"The event sequence number must be a whole number from 1 (got '{(seq.Length > 32 ? seq[..32] + "…" : seq)}').", ProblemTypes.InvalidAuditQuery);
        }

        return await ProofOfAsync(sequence, store, cancellationToken);
    }

    internal static async Task<IResult> ProofOfAsync(long seq, IMandateStore store, CancellationToken cancellationToken)
    {
        try
        {
            var (proof, unavailable) = await AuditInclusionProofs.BuildAsync(store, seq, cancellationToken);
            return unavailable switch
            {
                AuditProofUnavailable.NoSuchEvent => Problem.Result(StatusCodes.Status404NotFound, ProblemTypes.AuditEventNotFound, $"The ledger has no event {seq.ToString(CultureInfo.InvariantCulture)}."),
                AuditProofUnavailable.NotCheckpointed => Problem.Result(
                    StatusCodes.Status409Conflict,
                    ProblemTypes.AuditEventNotCheckpointed,
                    $"Event {seq.ToString(CultureInfo.InvariantCulture)} is newer than the last signed checkpoint. Checkpoints are signed periodically; POST /v1/audit/checkpoints signs one now."),
                _ => Results.Stream(
                    async output =>
                    {
                        await using var writer = new System.Text.Json.Utf8JsonWriter(output);
                        proof!.WriteJson(writer);
                    },
                    "application/json"),
            };
        }
        catch (AuditChainBrokenException ex)
        {
            return Problem.Conflict(ex.Message);
        }
    }

    internal static async Task ExportAsync(HttpContext context, IMandateStore store, TimeProvider time)
    {
        var query = context.Request.Query;
        long from = 1, to = long.MaxValue;
        var format = query["format"].ToString() is { Length: > 0 } f ? f : "jsonl";
        if (query.Keys.FirstOrDefault(k => k is not ("from" or "to" or "format")) is { } unknown)
        {
            await Problem.WriteAsync(context, StatusCodes.Status400BadRequest, ProblemTypes.InvalidAuditQuery, $"Unknown query parameter '{(unknown.Length > 64 ? unknown[..64] + "…" : unknown)}'. Use from, to and format.");
            return;
        }

        if ((query["from"].Count > 0 && !long.TryParse(query["from"], NumberStyles.None, CultureInfo.InvariantCulture, out from))
            || (query["to"].Count > 0 && !long.TryParse(query["to"], NumberStyles.None, CultureInfo.InvariantCulture, out to))
            || from < 1 || to < from
            || format is not ("jsonl" or "ocsf"))
        {
            await Problem.WriteAsync(context, StatusCodes.Status400BadRequest, ProblemTypes.InvalidAuditQuery, "Use from=SEQ and to=SEQ (whole numbers, 1 ≤ from ≤ to) and format=jsonl|ocsf.");
            return;
        }

        context.Response.ContentType = "application/x-ndjson";
        if (format == "ocsf")
        {
            await AuditExport.WriteOcsfAsync(store, context.Response.Body, from, to, MandateServer.Version, context.RequestAborted);
        }
        else
        {
            await AuditExport.WriteJsonLinesAsync(store, context.Response.Body, from, to, time, context.RequestAborted);
        }
    }

    private static async Task<IResult> KeysAsync(IMandateStore store, CancellationToken cancellationToken)
    {
        await using var session = await store.BeginAsync(StoreIntent.Read, cancellationToken);
        var keys = await session.Get<IAuditRepository>().GetPublicKeysAsync(cancellationToken);
        return TypedResults.Ok(new
        {
            keys = keys.Select(k => new Dictionary<string, string>
            {
                ["kty"] = "EC", ["crv"] = k.Curve, ["x"] = k.X, ["y"] = k.Y, ["kid"] = k.KeyId, ["alg"] = k.Algorithm, ["use"] = "sig",
            }).ToList(),
        });
    }

    private static object View(AuditCheckpoint c) => new
    {
        from = c.FromSequence,
        to = c.ToSequence,
        tree_size = c.TreeSize,
        root = c.RootHash,
        chain_hash = c.ChainHash,
        time = AuditCanonicalForm.FormatTime(c.Time),
        kid = c.KeyId,
        alg = c.Algorithm,
        signature = c.Signature,
    };

    private static IResult? ParseQuery(IQueryCollection q, out AuditQuery query)
    {
        query = new AuditQuery();
        string? Value(string name) => q[name].Count > 0 && q[name].ToString() is { Length: > 0 } v ? v : null;
        var known = new HashSet<string>(StringComparer.Ordinal) { "identity", "task", "jti", "decision", "type", "since", "until", "after", "limit" };
        if (q.Keys.FirstOrDefault(k => !known.Contains(k)) is { } unknown)
        {
            return Problem.BadRequest($"Unknown query parameter '{unknown}'. Use {string.Join(", ", known)}.", ProblemTypes.InvalidAuditQuery);
        }

        if (Value("decision") is { } decision && decision is not ("allow" or "deny"))
        {
            return Problem.BadRequest($"'decision' must be allow or deny (got '{decision}').", ProblemTypes.InvalidAuditQuery);
        }

        DateTimeOffset? since = null, until = null;
        foreach (var (name, assign) in new (string, Action<DateTimeOffset>)[] { ("since", v => since = v), ("until", v => until = v) })
        {
            if (Value(name) is { } text)
            {
                if (!Rfc3339.TryParse(text, out var parsed))
                {
                    return Problem.BadRequest($"'{name}' is not an RFC 3339 time (got '{text}'), e.g. 2026-01-31T12:00:00Z.", ProblemTypes.InvalidAuditQuery);
                }

                assign(parsed);
            }
        }

        var after = 0L;
        if (Value("after") is { } afterText && (!long.TryParse(afterText, NumberStyles.None, CultureInfo.InvariantCulture, out after)))
        {
            return Problem.BadRequest($"'after' must be a non-negative sequence number (got '{afterText}').", ProblemTypes.InvalidAuditQuery);
        }

        var limit = AuditQuery.DefaultLimit;
        if (Value("limit") is { } limitText && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > AuditQuery.MaxLimit))
        {
            return Problem.BadRequest($"'limit' must be between 1 and {AuditQuery.MaxLimit} (got '{limitText}').", ProblemTypes.InvalidAuditQuery);
        }

        query = new AuditQuery
        {
            Identity = Value("identity"),
            TaskId = Value("task"),
            CredentialId = Value("jti"),
            Decision = Value("decision"),
            Type = Value("type"),
            Since = since,
            Until = until,
            AfterSequence = after,
            Limit = limit,
        };
        return null;
    }
}
