using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mandate.Server.Tests.Decisions;

/// <summary>
/// Replays AuthZEN case files (tests/conformance/authzen, format in its README) against a server over HTTP and
/// returns one line per failed case.
/// </summary>
internal sealed class AuthZenCaseRunner(HttpClient client)
{
    private string? lastNextToken;

    public async Task<(int Run, List<string> Failures)> RunFileAsync(string path, CancellationToken cancellationToken)
    {
        var file = JsonNode.Parse(await File.ReadAllTextAsync(path, cancellationToken))!.AsObject();
        var failures = new List<string>();
        var run = 0;
        foreach (var node in file["cases"]!.AsArray())
        {
            var testCase = node!.AsObject();
            var id = (string)testCase["id"]!;
            var failure = await RunCaseAsync(file, testCase, cancellationToken);
            if (failure is null)
            {
                run++;
                continue;
            }

            if (failure.Length == 0)
            {
                continue;
            }

            run++;
            failures.Add($"{id}: {failure}");
        }

        return (run, failures);
    }

    /// <summary>null = passed; "" = not runnable here (informational case); otherwise why it failed.</summary>
    private async Task<string?> RunCaseAsync(JsonObject file, JsonObject testCase, CancellationToken cancellationToken)
    {
        var method = (string?)testCase["method"] ?? (string?)file["method"] ?? "POST";
        var endpoint = (string?)testCase["endpoint"] ?? (string?)file["endpoint"];
        if (endpoint is null || endpoint.Contains(' ', StringComparison.Ordinal) || (testCase["request"] is null && testCase["raw_body"] is null && method != "GET"))
        {
            return string.Empty;
        }

        if (method == "GET")
        {
            return await RunDiscoveryAsync(testCase, endpoint, cancellationToken);
        }

        var match = (string?)testCase["match"] ?? (string?)file["match"] ?? string.Empty;
        var repeat = (int?)testCase["repeat"] ?? 1;
        for (var attempt = 0; attempt < repeat; attempt++)
        {
            var failure = await RunOnceAsync(testCase, endpoint, match, cancellationToken);
            if (failure is not null)
            {
                return failure;
            }
        }

        return null;
    }

    private async Task<string?> RunOnceAsync(JsonObject testCase, string endpoint, string match, CancellationToken cancellationToken)
    {
        string body;
        if (testCase["raw_body"] is { } raw)
        {
            body = (string)raw!;
        }
        else
        {
            var request = testCase["request"]!.DeepClone().AsObject();
            if (request["page"]?["token"] is { } token && ((string?)token)?.StartsWith('<') == true)
            {
                if (string.IsNullOrEmpty(lastNextToken))
                {
                    return string.Empty;
                }

                request["page"]!["token"] = lastNextToken;
            }

            body = request.ToJsonString();
        }

        using var message = new HttpRequestMessage(HttpMethod.Post, endpoint);
        var contentType = "application/json";
        var requestHeaders = testCase["headers"]?.AsObject();
        if (requestHeaders is not null)
        {
            foreach (var (name, value) in requestHeaders)
            {
                if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
                {
                    contentType = (string)value!;
                }
                else
                {
                    message.Headers.TryAddWithoutValidation(name, (string)value!);
                }
            }
        }

        message.Content = new StringContent(body, Encoding.UTF8);
        message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        using var response = await client.SendAsync(message, cancellationToken);
        var status = (int)response.StatusCode;
        var expectedStatus = (int?)testCase["expected_status"] ?? 200;
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (status != expectedStatus)
        {
            return $"status {status}, expected {expectedStatus}: {text}";
        }

        if (status >= 500 || (status >= 400 && response.Content.Headers.ContentType?.MediaType != "application/problem+json"))
        {
            return "an error must be problem details: " + text;
        }

        if (testCase["expected_headers"]?.AsObject() is { } expectedHeaders)
        {
            foreach (var (name, value) in expectedHeaders)
            {
                if (!response.Headers.TryGetValues(name, out var values) || values.FirstOrDefault() != (string?)value)
                {
                    return $"header {name} not echoed";
                }
            }
        }

        if (status != 200)
        {
            return null;
        }

        if (response.Content.Headers.ContentType?.MediaType != "application/json")
        {
            return "content type is not application/json";
        }

        var actual = JsonNode.Parse(text)!.AsObject();
        return Compare(testCase["expected"]?.AsObject(), actual, match);
    }

    private string? Compare(JsonObject? expected, JsonObject actual, string match)
    {
        if (actual["page"]?["next_token"] is { } next)
        {
            lastNextToken = (string?)next;
        }

        if (actual["context"] is { } context && context is not JsonObject)
        {
            return "context must be an object";
        }

        if (expected is null)
        {
            return null;
        }

        if (expected["decision"] is { } decision)
        {
            if (actual["decision"] is not JsonValue value || value.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
            {
                return "decision is not a boolean: " + actual.ToJsonString();
            }

            if (decision.GetValueKind() is JsonValueKind.True or JsonValueKind.False && (bool)decision != (bool)value)
            {
                return $"decision {(bool)value}, expected {(bool)decision}";
            }
        }

        if (expected["evaluations"] is JsonArray expectedItems)
        {
            if (actual["evaluations"] is not JsonArray actualItems || actualItems.Count != expectedItems.Count)
            {
                return "evaluations differ in length: " + actual.ToJsonString();
            }

            for (var i = 0; i < expectedItems.Count; i++)
            {
                if (actualItems[i]?["decision"] is not JsonValue d || d.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
                {
                    return $"evaluations[{i}].decision is not a boolean";
                }

                var want = expectedItems[i]!["decision"]!;
                if (want.GetValueKind() is JsonValueKind.True or JsonValueKind.False && (bool)want != (bool)d)
                {
                    return $"evaluations[{i}].decision {(bool)d}, expected {(bool)want}";
                }
            }
        }

        if (expected["results"] is { } results)
        {
            if (actual["results"] is not JsonArray actualResults)
            {
                return "results is not an array";
            }

            if (results is not JsonArray expectedResults)
            {
                return null;
            }

            var got = actualResults.Select(Key).ToHashSet(StringComparer.Ordinal);
            var want = expectedResults.Select(Key).ToHashSet(StringComparer.Ordinal);
            var contains = match.StartsWith("results-contains", StringComparison.Ordinal);
            if (contains ? !want.IsSubsetOf(got) : !want.SetEquals(got))
            {
                return $"results [{string.Join(", ", got.Order(StringComparer.Ordinal))}], expected [{string.Join(", ", want.Order(StringComparer.Ordinal))}]";
            }
        }

        return null;
    }

    private static string Key(JsonNode? item) =>
        item?["name"] is { } name ? (string)name! : $"{(string?)item?["type"]}/{(string?)item?["id"]}";

    private async Task<string?> RunDiscoveryAsync(JsonObject testCase, string endpoint, CancellationToken cancellationToken)
    {
        using var response = await client.GetAsync(endpoint, cancellationToken);
        if (endpoint != "/.well-known/authzen-configuration")
        {
            // Tenant-scoped metadata applies only to PDPs whose identifier has a path; Mandate's has none.
            return response.StatusCode == HttpStatusCode.NotFound ? null : $"status {(int)response.StatusCode} for a tenant path";
        }

        if (response.StatusCode != HttpStatusCode.OK || response.Content.Headers.ContentType?.MediaType != "application/json")
        {
            return $"status {(int)response.StatusCode}";
        }

        var metadata = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken))!.AsObject();
        var pdp = (string?)metadata["policy_decision_point"];
        if (pdp != client.BaseAddress!.GetLeftPart(UriPartial.Authority))
        {
            return $"policy_decision_point {pdp} is not the base URL {client.BaseAddress}";
        }

        foreach (var member in new[] { "access_evaluation_endpoint", "access_evaluations_endpoint", "search_subject_endpoint", "search_resource_endpoint", "search_action_endpoint" })
        {
            if (metadata[member] is not { } url || !((string)url!).StartsWith(pdp + "/access/v1/", StringComparison.Ordinal))
            {
                return member + " missing or not under the PDP";
            }
        }

        _ = testCase;
        return null;
    }
}
