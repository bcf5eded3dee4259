using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Mandate.Protocol.AuthZen;
using Microsoft.Extensions.Options;

namespace Mandate.Client;

/// <summary>
/// <see cref="IAuthZenClient"/> over an <see cref="HttpClient"/> from the factory: per-attempt timeout, retries with
/// exponential backoff and jitter on transient failures, source-generated JSON, and single evaluations served from the
/// <see cref="DecisionCache"/> while the policy version is unchanged.
/// </summary>
internal sealed class AuthZenClient(HttpClient http, IOptions<MandateClientOptions> options, DecisionCache cache, TimeProvider time) : IAuthZenClient
{
    private readonly MandateClientOptions settings = options.Value;
    private string? lastPolicyVersion;

    public string? LastPolicyVersion => Volatile.Read(ref lastPolicyVersion);

    public async Task<EvaluationResponse> EvaluateAsync(EvaluationRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var key = DecisionCache.KeyOf(request);
        if (cache.TryGet(key, LastPolicyVersion, out var cached))
        {
            return cached;
        }

        var response = await PostAsync(AuthZenPaths.Evaluation, request, AuthZenJsonContext.Default.EvaluationRequest, AuthZenJsonContext.Default.EvaluationResponse, cancellationToken);
        cache.Set(key, LastPolicyVersion, DecisionCache.CredentialOf(request), response);
        return response;
    }

    public Task<EvaluationsResponse> EvaluateBatchAsync(EvaluationsRequest request, CancellationToken cancellationToken = default) =>
        PostAsync(AuthZenPaths.Evaluations, request, AuthZenJsonContext.Default.EvaluationsRequest, AuthZenJsonContext.Default.EvaluationsResponse, cancellationToken);

    public Task<EntitySearchResponse> SearchSubjectsAsync(SearchRequest request, CancellationToken cancellationToken = default) =>
        PostAsync(AuthZenPaths.SearchSubject, request, AuthZenJsonContext.Default.SearchRequest, AuthZenJsonContext.Default.EntitySearchResponse, cancellationToken);

    public Task<EntitySearchResponse> SearchResourcesAsync(SearchRequest request, CancellationToken cancellationToken = default) =>
        PostAsync(AuthZenPaths.SearchResource, request, AuthZenJsonContext.Default.SearchRequest, AuthZenJsonContext.Default.EntitySearchResponse, cancellationToken);

    public Task<ActionSearchResponse> SearchActionsAsync(SearchRequest request, CancellationToken cancellationToken = default) =>
        PostAsync(AuthZenPaths.SearchAction, request, AuthZenJsonContext.Default.SearchRequest, AuthZenJsonContext.Default.ActionSearchResponse, cancellationToken);

    public Task<AuthZenMetadata> GetMetadataAsync(CancellationToken cancellationToken = default) =>
        SendAsync(() => new HttpRequestMessage(HttpMethod.Get, Resolve(AuthZenPaths.Metadata)), AuthZenJsonContext.Default.AuthZenMetadata, cancellationToken);

    private Task<TResponse> PostAsync<TRequest, TResponse>(string path, TRequest request, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(request, requestType);
        return SendAsync(
            () =>
            {
                var message = new HttpRequestMessage(HttpMethod.Post, Resolve(path)) { Content = new ByteArrayContent(body) };
                message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                return message;
            },
            responseType,
            cancellationToken);
    }

    private async Task<TResponse> SendAsync<TResponse>(Func<HttpRequestMessage> create, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
    {
        Exception? last = null;
        int? lastStatus = null;
        for (var attempt = 0; attempt <= settings.MaxRetries; attempt++)
        {
            if (attempt > 0)
            {
                await Task.Delay(Backoff(attempt), time, cancellationToken);
            }

            using var attemptTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attemptTimeout.CancelAfter(settings.AttemptTimeout);
            try
            {
                using var message = create();
                if (settings.AccessToken is { Length: > 0 } token)
                {
                    message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                }

                using var response = await http.SendAsync(message, HttpCompletionOption.ResponseContentRead, attemptTimeout.Token);
                if (response.Headers.TryGetValues(AuthZenPaths.PolicyVersionHeader, out var versions))
                {
                    Volatile.Write(ref lastPolicyVersion, versions.FirstOrDefault());
                }

                if (response.IsSuccessStatusCode)
                {
                    await using var stream = await response.Content.ReadAsStreamAsync(attemptTimeout.Token);
                    return await JsonSerializer.DeserializeAsync(stream, responseType, attemptTimeout.Token)
                        ?? throw new MandateUnavailableException("The PDP answered with an empty body.");
                }

                lastStatus = (int)response.StatusCode;
                if (!IsTransient(response.StatusCode))
                {
                    throw new MandateUnavailableException($"The PDP refused the request with HTTP {lastStatus}.") { StatusCode = lastStatus };
                }

                last = new HttpRequestException($"HTTP {lastStatus}", null, response.StatusCode);
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                last = e;
            }
            catch (HttpRequestException e)
            {
                last = e;
            }
            catch (JsonException e)
            {
                throw new MandateUnavailableException("The PDP answered with a body that is not an AuthZEN response.", e);
            }
        }

        throw new MandateUnavailableException($"The PDP did not answer after {settings.MaxRetries + 1} attempts.", last!) { StatusCode = lastStatus };
    }

    private TimeSpan Backoff(int attempt)
    {
        var jitter = 0.5 + Random.Shared.NextDouble();
        return TimeSpan.FromMilliseconds(settings.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1) * jitter);
    }

    private Uri Resolve(string path) =>
        settings.BaseAddress is { } baseAddress ? new Uri(baseAddress, path) : new Uri(path, UriKind.Relative);

    private static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500;
}
