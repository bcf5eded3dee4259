using System.Text.Json;
using Mandate.Core.Decisions;
using Mandate.Core.Storage;
using Mandate.Gateway.Mcp;
using Mandate.Protocol.AuthZen;
using Mandate.Server.Decisions;
using Mandate.Server.Identity;
using Mandate.Server.Problems;

namespace Mandate.Server.Gateway;

/// <summary>
/// The decision point of an MCP gateway the server hosts (<c>mandate serve --mcp-gateway FILE</c>): the server's own
/// <see cref="AuthZenDecisionService"/>, asked in-process instead of over HTTP, so a call costs no second HTTP hop. It
/// asks exactly what <see cref="DecisionPointClient"/> sends to <c>/access/v1/evaluation</c> and
/// <c>/v1/decisions/permitted</c>: the same request bytes, read with the same AuthZEN types, under the same body limit
/// and the same refusal while this node's view of a shared store is stale (their <c>RequireFreshState</c>), then the
/// same service calls (credential and DPoP proof verification, task scope, chain, risk, Cedar, the ledger
/// record, detection signals, metrics), and reads the answer as the gateway reads the HTTP one. What differs is who the
/// ledger names: the caller is <see cref="Caller"/> and the client is the agent's own address (over HTTP the server
/// only sees the gateway's), which is what <c>jti_multi_source</c> counts.
/// </summary>
internal sealed class InProcessGatewayDecisionPoint(AuthZenDecisionService service, StoreFreshness freshness, TimeSpan timeout) : IGatewayDecisionPoint
{
    /// <summary>The caller the ledger records for a hosted gateway's decisions (a standalone gateway is its PEP name).</summary>
    public const string Caller = "mcp-gateway";

    public async Task<GatewayDecision> EvaluateAsync(
        AgentCredential credential, DpopForward? proof, GatewayRequestTarget target, JsonElement? arguments, GatewayRequestOrigin origin, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(origin);
        RequireFreshState();
        var body = DecisionPointClient.EvaluationBody(credential, proof, target, arguments);
        if (TooLarge(body) is { } refused)
        {
            return refused;
        }

        EvaluationRequest request;
        try
        {
            request = Read(body, AuthZenJsonContext.Default.EvaluationRequest);
        }
        catch (JsonException e)
        {
            // What /access/v1/evaluation answers 400 malformed-json with, such as arguments holding one key twice
            // (decided on one value, forwarded with the other): refused naming why, as over HTTP.
            return new GatewayDecision(false, CredentialValid: true, ProblemTypes.MalformedJson.Code, JsonErrorDetail.Describe(e), null);
        }

        var call = Call(origin);
        using var deadline = Deadline(cancellationToken);
        AuthZenDecision decision;
        try
        {
            decision = await service.EvaluateAsync(request, call, deadline.Token);
        }
        catch (AuthZenRequestException e)
        {
            // What /access/v1/evaluation answers 400 with: a call that cannot be decided, refused naming why.
            return new GatewayDecision(false, CredentialValid: true, e.Code, e.Message, null);
        }
        catch (Exception e) when (Failed(e, cancellationToken))
        {
            throw Unavailable(e);
        }

        // As the gateway reads the HTTP answer: the reason and its description (a PEP sees them), the decision id.
        if (!decision.Allowed && decision.DenyCode is { } reason && DecisionPointClient.CredentialReasons.Contains(reason))
        {
            return GatewayDecision.Unauthenticated(reason, decision.DenyDescription);
        }

        return new GatewayDecision(decision.Allowed, CredentialValid: true, decision.DenyCode, decision.DenyCode is null ? null : decision.DenyDescription, decision.DecisionId);
    }

    public async Task<(GatewayDecision Credential, IReadOnlyList<bool> Permitted)> PermittedAsync(
        AgentCredential credential, DpopForward? proof, IReadOnlyList<GatewayRequestTarget> targets, GatewayRequestOrigin origin, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(origin);
        RequireFreshState();
        var body = DecisionPointClient.PermittedBody(credential, proof, targets);
        if (body.Length > service.Options.MaxRequestBodyBytes)
        {
            // Over HTTP this is a 413 the gateway cannot use: it refuses the request (fail closed) as here.
            throw new DecisionPointException($"the request to the decision point is over its limit of {service.Options.MaxRequestBodyBytes} bytes");
        }

        using var deadline = Deadline(cancellationToken);
        PermittedResult result;
        try
        {
            var request = Read(body, AuthZenJsonContext.Default.EvaluationsRequest);
            result = await service.PermittedAsync(request, Call(origin), deadline.Token);
        }
        catch (Exception e) when (e is AuthZenRequestException or JsonException || Failed(e, cancellationToken))
        {
            throw Unavailable(e);
        }

        var verdict = result.Credential;
        if (!verdict.Valid)
        {
            return (GatewayDecision.Unauthenticated(verdict.Error ?? "invalid_token", verdict.Description), []);
        }

        return (new GatewayDecision(true, true, null, null, null), result.Permitted);
    }

    /// <summary>
    /// What the decision endpoints' <c>RequireFreshState</c> answers with 503 <c>state-stale</c>: a node that cannot vouch
    /// that its views (revocations, policies, identities, keys, risk) follow a shared store decides nothing, audits nothing.
    /// </summary>
    private void RequireFreshState()
    {
        if (freshness.IsFresh())
        {
            return;
        }

        var stale = freshness.StaleChannels();
        if (stale.Count > 0)
        {
            throw new DecisionPointException(
                $"this node has not confirmed within {freshness.Bound.TotalSeconds:0.###} s that its view of the store is current ({string.Join(", ", stale)}); nothing was decided");
        }
    }

    private static AuthZenCall Call(GatewayRequestOrigin origin) =>
        new(RequestId(origin.RequestId), IncludeDiagnostics: false, Caller, ClientNetwork.Of(origin.Client, 64));

    /// <summary>The request id as the decision endpoint accepts an <c>X-Request-ID</c>: short printable ASCII, else none given.</summary>
    private static string RequestId(string id) =>
        id is { Length: > 0 and <= PepAuthentication.MaxRequestIdLength } && id.All(c => c is >= '!' and <= '~') ? id : "gateway";

    /// <summary>The request as the decision endpoints read their body: the same types and options (duplicate keys refused).</summary>
    /// <exception cref="JsonException">The body does not read as the request (over HTTP: 400 malformed-json).</exception>
    private static T Read<T>(byte[] body, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
        where T : class =>
        JsonSerializer.Deserialize(body, type) ?? throw new DecisionPointException("the gateway wrote an empty decision request");

    /// <summary>The refusal <c>/access/v1/evaluation</c> answers (413) for a body over its limit, as the gateway reads it.</summary>
    private GatewayDecision? TooLarge(byte[] body)
    {
        var limit = service.Options.MaxRequestBodyBytes;
        return body.Length > limit
            ? new GatewayDecision(false, CredentialValid: true, ProblemTypes.PayloadTooLarge.Code, $"The body is over the limit of {limit} bytes (Mandate:Decisions:MaxRequestBodyBytes).", null)
            : null;
    }

    private CancellationTokenSource Deadline(CancellationToken cancellationToken)
    {
        var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        return deadline;
    }

    /// <summary>Whatever stops the decision but the agent going away (that cancellation propagates, as over HTTP).</summary>
    private static bool Failed(Exception e, CancellationToken cancellationToken) =>
        e is not DecisionPointException && !(e is OperationCanceledException && cancellationToken.IsCancellationRequested);

    private static DecisionPointException Unavailable(Exception e) => e switch
    {
        OperationCanceledException => new DecisionPointException("the decision point did not answer in time", e),
        _ => new DecisionPointException("the decision point failed: " + e.Message, e),
    };
}
