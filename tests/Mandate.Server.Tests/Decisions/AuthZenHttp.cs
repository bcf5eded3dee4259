using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Mandate.Server.Tests.Decisions;

internal static class AuthZenHttp
{
    public static async Task<(int Status, JsonElement Body, HttpResponseMessage Response)> PostAsync(HttpClient client, string path, string json, string contentType = "application/json")
    {
        using var content = new StringContent(json, Encoding.UTF8, contentType);
        var response = await client.PostAsync(new Uri(path, UriKind.Relative), content, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var body = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        return ((int)response.StatusCode, body, response);
    }

    public static async Task<JsonElement> GetJsonAsync(HttpClient client, string path) =>
        await client.GetFromJsonAsync<JsonElement>(path, TestContext.Current.CancellationToken);

    public static string Code(JsonElement problem) => problem.GetProperty("code").GetString()!;
}
