using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Mandate.Tests.Shared;

/// <summary>Checks an RFC 9457 answer of the server: status, media type, and the stable <c>type</c> and <c>code</c>.</summary>
public static class ProblemAssert
{
    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        ArgumentNullException.ThrowIfNull(response);
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal("https://mandate.dev/problems/" + code, problem.GetProperty("type").GetString());
        Assert.Equal(code, problem.GetProperty("code").GetString());
        return problem;
    }
}
