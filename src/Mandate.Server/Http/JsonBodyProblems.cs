using System.Text.Json;
using Mandate.Server.Problems;

namespace Mandate.Server.Http;

/// <summary>
/// How an endpoint family answers a JSON body it cannot use (each answer a problem with a stable <c>code</c>); factories,
/// since a problem result is completed per request (trace id).
/// </summary>
internal sealed class JsonBodyProblems
{
    /// <summary>
    /// AuthZEN (decisions, search): anything but JSON is 400, not 415, as the specification asks; an empty body is
    /// malformed JSON; JSON null is malformed too.
    /// </summary>
    public static JsonBodyProblems AuthZen { get; } = new()
    {
        MissingBody = null,
        NotJson = () => Problem.Result(
            StatusCodes.Status400BadRequest,
            ProblemTypes.UnsupportedMediaType,
            "Send the request with 'Content-Type: application/json'."),
        TooLarge = maxBytes => Problem.Result(
            StatusCodes.Status413PayloadTooLarge,
            ProblemTypes.PayloadTooLarge,
            $"The body is over the limit of {maxBytes} bytes (Mandate:Decisions:MaxRequestBodyBytes)."),
        Malformed = e => Problem.BadRequest(JsonErrorDetail.Describe(e), ProblemTypes.MalformedJson),
        Null = () => Problem.BadRequest("The request body must be a JSON object, not null.", ProblemTypes.MalformedJson),
    };

    /// <summary>The administrative API (tasks, revocations): 400 for a missing body, 415 for anything but JSON.</summary>
    public static JsonBodyProblems Admin { get; } = new()
    {
        MissingBody = () => Problem.BadRequest("The request needs a JSON body."),
        NotJson = () => Problem.Result(StatusCodes.Status415UnsupportedMediaType, ProblemTypes.UnsupportedMediaType, "Send the body as application/json."),
        TooLarge = maxBytes => Problem.Result(StatusCodes.Status413PayloadTooLarge, ProblemTypes.PayloadTooLarge, $"At most {maxBytes} bytes."),
        Malformed = e => Problem.Result(StatusCodes.Status400BadRequest, ProblemTypes.MalformedJson, JsonErrorDetail.Describe(e)),
        Null = () => Problem.BadRequest("The request body is JSON null."),
    };

    /// <summary>
    /// The endpoints whose bodies the framework used to bind (identities, attestation, SVIDs, audit annotations,
    /// policies), with the answers they gave then: 415 for anything but JSON, malformed JSON as the admin API; a
    /// missing body (or JSON null) where one is required is an invalid request.
    /// </summary>
    public static JsonBodyProblems Framework { get; } = new()
    {
        MissingBody = () => Problem.Result(StatusCodes.Status400BadRequest, ProblemTypes.InvalidRequest, "The request needs a JSON body."),
        NotJson = Admin.NotJson,
        TooLarge = Admin.TooLarge,
        Malformed = Admin.Malformed,
        Null = () => Problem.Result(StatusCodes.Status400BadRequest, ProblemTypes.InvalidRequest, "The request body must be a JSON object, not null."),
    };

    /// <summary>The answer to a request without a body; <see langword="null"/> reads it as JSON (and so as malformed).</summary>
    public required Func<IResult>? MissingBody { get; init; }

    public required Func<IResult> NotJson { get; init; }

    public required Func<long, IResult> TooLarge { get; init; }

    public required Func<JsonException, IResult> Malformed { get; init; }

    public required Func<IResult> Null { get; init; }
}
