using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Mandate.Server.Problems;
using Microsoft.AspNetCore.Http.Features;

namespace Mandate.Server.Decisions;

/// <summary>
/// Reads an AuthZEN request body: JSON content type (AuthZEN wants 400, not 415, for anything else), a size limit
/// (413), malformed or empty JSON or a member of the wrong JSON type (400), never a 500.
/// </summary>
internal static class AuthZenBody
{
    public static async ValueTask<(T? Value, IResult? Problem)> ReadAsync<T>(HttpContext http, JsonTypeInfo<T> typeInfo, long maxBytes)
        where T : class
    {
        var request = http.Request;
        if (!IsJson(request.ContentType))
        {
            return (null, Problem.Result(
                StatusCodes.Status400BadRequest,
                ProblemTypes.UnsupportedMediaType,
                "The request body must be JSON.",
                "Send the request with 'Content-Type: application/json'."));
        }

        if (request.ContentLength > maxBytes)
        {
            return (null, TooLarge(maxBytes));
        }

        var sizeFeature = http.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (sizeFeature is { IsReadOnly: false })
        {
            sizeFeature.MaxRequestBodySize = maxBytes;
        }

        try
        {
            var value = await JsonSerializer.DeserializeAsync(request.Body, typeInfo, http.RequestAborted);
            if (value is null)
            {
                return (null, Problem.BadRequest("The request body must be a JSON object, not null.", ProblemTypes.MalformedJson));
            }

            return (value, null);
        }
        catch (JsonException e)
        {
            return (null, Problem.BadRequest(JsonErrorDetail.Describe(e), ProblemTypes.MalformedJson));
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, TooLarge(maxBytes));
        }
    }

    private static IResult TooLarge(long maxBytes) => Problem.Result(
        StatusCodes.Status413PayloadTooLarge,
        ProblemTypes.PayloadTooLarge,
        "The request body is too large.",
        $"The body is over the limit of {maxBytes} bytes (Mandate:Decisions:MaxRequestBodyBytes).");

    private static bool IsJson(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType))
        {
            return false;
        }

        var mediaType = contentType.AsSpan();
        var semicolon = mediaType.IndexOf(';');
        if (semicolon >= 0)
        {
            mediaType = mediaType[..semicolon];
        }

        mediaType = mediaType.Trim();
        return mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || (mediaType.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
    }
}
