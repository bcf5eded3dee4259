using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Mandate.Tests.Shared;

/// <summary>
/// A body (JSON unless <paramref name="mediaType"/> says otherwise) sent without Content-Length (chunked), as a client
/// streaming it would: limits must hold on the stream.
/// </summary>
public sealed class ChunkedJsonContent(string text, string mediaType = "application/json") : HttpContent
{
    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        stream.WriteAsync(Encoding.UTF8.GetBytes(text)).AsTask();

    protected override bool TryComputeLength(out long length)
    {
        Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        length = -1;
        return false;
    }
}
