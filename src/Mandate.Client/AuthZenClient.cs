using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Mandate.Protocol.AuthZen;
using Microsoft.Extensions.Options;
using Polly.Timeout;

namespace Mandate.Client;

/// <summary>
/// <see cref="IAuthZenClient"/> over an <see cref="HttpClient"/> from the factory, whose resilience handler gives
/// each attempt its timeout and retries transient failures with exponential backoff and jitter
/// (<see cref="MandateClientResilience"/>); source-generated JSON; single evaluations served from the
/// <see cref="DecisionCache"/> while the policy version they were decided under is the PDP's latest. The policy
/// version is tracked by the (shared) cache, so every client instance sees the same one.
/// </summary>
internal sealed class AuthZenClient(HttpClient http, IOptions<MandateClientOptions> options, DecisionCache cache) : IAuthZenClient
{
    private readonly MandateClientOptions settings = options.Value;

    public string? LastPolicyVersion => cache.LatestPolicyVersion;

    public async Task<EvaluationResponse> EvaluateAsync(EvaluationRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var key = DecisionCache.KeyOf(request);
        if (cache.TryGet(key, out var cached))
        {
            return cached;
        }

        var generation = cache.Generation;
        var (response, decidedUnder, epoch) = await PostAsync(AuthZenPaths.Evaluation, request, AuthZenJsonContext.Default.EvaluationRequest, AuthZenJsonContext.Default.EvaluationResponse, cancellationToken).ConfigureAwait(false);
        var credential = DecisionCache.CredentialOf(request);
        if (credential is not null && DecisionCache.SaysCredentialIsDead(response))
        {
            // The PDP says the credential no longer verifies: nothing decided for it may be reused.
            cache.Revoke(credential);
            return response;
        }

        cache.Set(key, decidedUnder, epoch, credential, response, generation);
        return response;
    }

    public async Task<EvaluationsResponse> EvaluateBatchAsync(EvaluationsRequest request, CancellationToken cancellationToken = default) =>
        (await PostAsync(AuthZenPaths.Evaluations, request, AuthZenJsonContext.Default.EvaluationsRequest, AuthZenJsonContext.Default.EvaluationsResponse, cancellationToken).ConfigureAwait(false)).Response;

    public async Task<EntitySearchResponse> SearchSubjectsAsync(SearchRequest request, CancellationToken cancellationToken = default) =>
        (await PostAsync(AuthZenPaths.SearchSubject, request, AuthZenJsonContext.Default.SearchRequest, AuthZenJsonContext.Default.EntitySearchResponse, cancellationToken).ConfigureAwait(false)).Response;

    public async Task<EntitySearchResponse> SearchResourcesAsync(SearchRequest request, CancellationToken cancellationToken = default) =>
        (await PostAsync(AuthZenPaths.SearchResource, request, AuthZenJsonContext.Default.SearchRequest, AuthZenJsonContext.Default.EntitySearchResponse, cancellationToken).ConfigureAwait(false)).Response;

    public async Task<ActionSearchResponse> SearchActionsAsync(SearchRequest request, CancellationToken cancellationToken = default) =>
        (await PostAsync(AuthZenPaths.SearchAction, request, AuthZenJsonContext.Default.SearchRequest, AuthZenJsonContext.Default.ActionSearchResponse, cancellationToken).ConfigureAwait(false)).Response;

    public async Task<AuthZenMetadata> GetMetadataAsync(CancellationToken cancellationToken = default) =>
        (await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, Resolve(AuthZenPaths.Metadata)), AuthZenJsonContext.Default.AuthZenMetadata, cancellationToken).ConfigureAwait(false)).Response;

    private Task<(TResponse Response, string? PolicyVersion, string? Epoch)> PostAsync<TRequest, TResponse>(string path, TRequest request, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
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

    /// <summary>
    /// The answer, the policy version it was decided under (its own <c>X-Mandate-Policy-Version</c>) and the PDP's
    /// credential epoch when it began deciding (<c>X-Mandate-Credential-Epoch</c>).
    /// </summary>
    private async Task<(TResponse Response, string? PolicyVersion, string? Epoch)> SendAsync<TResponse>(Func<HttpRequestMessage> create, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
    {
        // Timeouts and retries of transient failures happen in the resilience handler below this HttpClient
        // (MandateClientServiceCollectionExtensions); what arrives here is the last attempt's outcome.
        try
        {
            using var message = create();
            if (settings.AccessToken is { Length: > 0 } token)
            {
                message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }

            var ticket = cache.BeginCall();
            using var response = await http.SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            string? version = null;
            string? epoch = response.Headers.TryGetValues(AuthZenPaths.CredentialEpochHeader, out var epochs) ? epochs.FirstOrDefault() : null;
            if (response.Headers.TryGetValues(AuthZenPaths.PolicyVersionHeader, out var versions))
            {
                version = versions.FirstOrDefault();
                cache.ObservePolicyVersion(version, epoch, ticket);
            }

            if (response.IsSuccessStatusCode)
            {
                var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                await using (stream.ConfigureAwait(false))
                {
                    var body = await JsonSerializer.DeserializeAsync(stream, responseType, cancellationToken).ConfigureAwait(false)
                        ?? throw new MandateUnavailableException("The PDP answered with an empty body.");
                    return (body, version, epoch);
                }
            }

            var status = (int)response.StatusCode;
            if (!MandateClientResilience.IsTransient(response.StatusCode))
            {
                throw new MandateUnavailableException($"The PDP refused the request with HTTP {status}.") { StatusCode = status };
            }

            throw new MandateUnavailableException(GaveUp, new HttpRequestException($"HTTP {status}", null, response.StatusCode)) { StatusCode = status };
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new MandateUnavailableException(GaveUp, e);
        }
        catch (TimeoutRejectedException e)
        {
            throw new MandateUnavailableException(GaveUp, e);
        }
        catch (HttpRequestException e)
        {
            throw new MandateUnavailableException(GaveUp, e);
        }
        catch (JsonException e)
        {
            throw new MandateUnavailableException("The PDP answered with a body that is not an AuthZEN response.", e);
        }
    }

    private string GaveUp => $"The PDP did not answer after {settings.MaxRetries + 1} attempts.";

    private Uri Resolve(string path) =>
        settings.BaseAddress is { } baseAddress ? new Uri(baseAddress, path) : new Uri(path, UriKind.Relative);
}
