using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Mandate.Server.Http;

/// <summary>
/// The one reader of hand-read JSON request bodies: content type, a size limit enforced on the stream itself (a chunked
/// body without <c>Content-Length</c> is cut at the limit too), malformed, empty or null JSON; never a 500. What each
/// failure looks like to the caller is the endpoint family's <see cref="JsonBodyProblems"/>.
/// </summary>
internal static class JsonBody
{
    /// <summary>Reads the body as <typeparamref name="T"/> with the server's JSON options (those the framework binds with).</summary>
    /// <param name="http">The request's context.</param>
    /// <param name="maxBytes">The largest body accepted (413 beyond it); see <see cref="BodyLimits"/>.</param>
    /// <param name="problems">The endpoint family's answers to a body it cannot use.</param>
    /// <param name="required">Whether a missing body (or JSON null) is a problem; when not, both read as no value.</param>
    public static ValueTask<(T? Value, IResult? Problem)> ReadAsync<T>(HttpContext http, long maxBytes, JsonBodyProblems problems, bool required = true)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(http);
        var options = http.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        return ReadAsync(http, (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T)), maxBytes, problems, required);
    }

    /// <param name="http">The request's context.</param>
    /// <param name="typeInfo">How to read the body.</param>
    /// <param name="maxBytes">The largest body accepted (413 beyond it); <see langword="null"/> leaves the server's own limit.</param>
    /// <param name="problems">The endpoint family's answers to a body it cannot use.</param>
    /// <param name="required">Whether a missing body (or JSON null) is a problem; when not, both read as no value.</param>
    public static async ValueTask<(T? Value, IResult? Problem)> ReadAsync<T>(
        HttpContext http, JsonTypeInfo<T> typeInfo, long? maxBytes, JsonBodyProblems problems, bool required = true)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(typeInfo);
        ArgumentNullException.ThrowIfNull(problems);
        var request = http.Request;
        if (problems.MissingBody is { } missing && !HasBody(request))
        {
            return required ? (null, missing()) : (null, null);
        }

        if (!request.HasJsonContentType())
        {
            return (null, problems.NotJson());
        }

        var body = request.Body;
        if (maxBytes is { } limit)
        {
            if (request.ContentLength > limit)
            {
                return (null, problems.TooLarge(limit));
            }

            // Lets the server stop reading early where it can; the bounded stream holds the limit where it cannot.
            if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
            {
                sizeFeature.MaxRequestBodySize = limit;
            }

            if (request.ContentLength is { } length)
            {
                // The common case, a body of known length within the limit: read whole from the request's pipe and
                // parsed in one go, without a stream, its wrapper and the serializer's asynchronous machinery per request.
                return await ReadWholeAsync(http, typeInfo, length, problems, required, limit);
            }

            body = new BoundedReadStream(body, limit);
        }

        try
        {
            var value = await JsonSerializer.DeserializeAsync(body, typeInfo, http.RequestAborted);
            return value is null && required ? (null, problems.Null()) : (value, null);
        }
        catch (JsonException e)
        {
            return (null, problems.Malformed(e));
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge && maxBytes is not null)
        {
            return (null, problems.TooLarge(maxBytes.Value));
        }
    }

    /// <summary>
    /// Reads a body of <paramref name="length"/> bytes (the server holds the request to its <c>Content-Length</c>) and
    /// parses it like the stream would: one JSON value and nothing after it, the same errors.
    /// </summary>
    private static async ValueTask<(T? Value, IResult? Problem)> ReadWholeAsync<T>(
        HttpContext http, JsonTypeInfo<T> typeInfo, long length, JsonBodyProblems problems, bool required, long limit)
        where T : class
    {
        var pipe = http.Request.BodyReader;
        ReadResult read;
        try
        {
            while (true)
            {
                read = await pipe.ReadAsync(http.RequestAborted);
                if (read.IsCompleted || read.IsCanceled || read.Buffer.Length > length)
                {
                    break;
                }

                // Not all of it yet: look again once more has arrived.
                pipe.AdvanceTo(read.Buffer.Start, read.Buffer.End);
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, problems.TooLarge(limit));
        }

        var buffer = read.Buffer;
        byte[]? rented = null;
        try
        {
            ReadOnlySpan<byte> json;
            if (buffer.IsSingleSegment)
            {
                json = buffer.FirstSpan;
            }
            else
            {
                rented = ArrayPool<byte>.Shared.Rent((int)buffer.Length);
                buffer.CopyTo(rented);
                json = rented.AsSpan(0, (int)buffer.Length);
            }

            var value = JsonSerializer.Deserialize(json, typeInfo);
            return value is null && required ? (null, problems.Null()) : (value, null);
        }
        catch (JsonException e)
        {
            return (null, problems.Malformed(e));
        }
        finally
        {
            pipe.AdvanceTo(buffer.End);
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static bool HasBody(HttpRequest request) =>
        request.ContentLength is not 0 && (request.ContentLength is not null || request.Headers.ContainsKey("Transfer-Encoding"));
}
