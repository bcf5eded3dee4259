using System.Diagnostics;
using System.Diagnostics.Metrics;
using Mandate.Protocol.OAuth;

namespace Mandate.Core.Telemetry;

/// <summary>
/// Mandate's domain instruments (meter <see cref="MeterName"/>, exported at <c>/metrics</c>; each one is listed in
/// docs/operations.md, "Metrics"). Every tag has a small fixed set of values: never an identity, a token or an id.
/// The gauges read state and live in <see cref="MandateGauges"/>; store errors are counted by <see cref="StoreErrorMetrics"/>.
/// </summary>
internal sealed class MandateMetrics : IDisposable
{
    public const string MeterName = "Mandate";

    private static readonly double[] DurationBuckets =
        [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

    private static readonly HashSet<string> OAuthErrors =
    [
        OAuthErrorCodes.InvalidRequest, OAuthErrorCodes.InvalidClient, OAuthErrorCodes.InvalidGrant, OAuthErrorCodes.UnauthorizedClient,
        OAuthErrorCodes.UnsupportedGrantType, OAuthErrorCodes.InvalidScope, OAuthErrorCodes.InvalidTarget, OAuthErrorCodes.UnsupportedTokenType,
        OAuthErrorCodes.InvalidToken,
    ];

    private readonly Meter? ownMeter;
    private readonly Counter<long> decisions;
    private readonly Histogram<double> decisionDuration;
    private readonly Counter<long> credentialsIssued;
    private readonly Counter<long> tokenExchanges;
    private readonly Counter<long> revocations;
    private readonly Counter<long> credentialsRevoked;
    private readonly Counter<long> auditAppends;
    private readonly Counter<long> auditUnwritten;
    private readonly Counter<long> auditQueueWaits;
    private readonly Counter<long> auditRefused;
    private readonly Counter<long> signalDeliveries;
    private readonly Counter<long> setsReceived;
    private readonly Counter<long> dynamicCredentials;

    /// <param name="meters">The host's meter factory; without one (a bare container) the instruments use a meter of their own.</param>
    public MandateMetrics(IMeterFactory? meters = null)
    {
        Meter = meters?.Create(MeterName) ?? (ownMeter = new Meter(MeterName));
        decisions = Meter.CreateCounter<long>("mandate.decisions", "{decision}", "Authorization decisions, by outcome (allow, deny, error)");
        decisionDuration = Meter.CreateHistogram(
            "mandate.decision.duration",
            "s",
            "Time to decide one authorization request (mapping, credential checks, policies, audit hand-off), by outcome",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        credentialsIssued = Meter.CreateCounter<long>("mandate.credentials.issued", "{credential}", "Credentials issued, by kind (task, exchanged, jwt_svid, x509_svid, join_token)");
        tokenExchanges = Meter.CreateCounter<long>("mandate.token_exchanges", "{exchange}", "RFC 8693 token exchanges, by outcome (issued, refused) and OAuth error");
        revocations = Meter.CreateCounter<long>("mandate.revocations", "{revocation}", "Revocations carried out, by what they named (credential, task, identity, owner)");
        credentialsRevoked = Meter.CreateCounter<long>("mandate.credentials.revoked", "{credential}", "Credentials revoked (descendants included), by what the revocation named");
        auditAppends = Meter.CreateCounter<long>("mandate.audit.appends", "{event}", "Events appended to the audit ledger by this node");
        auditUnwritten = Meter.CreateCounter<long>("mandate.audit.unwritten", "{decision}", "Allowed decisions answered but not written to the ledger because settings allow it, by reason (sampled, queue_full); the ledger counts them in audit.sampled and audit.dropped events");
        auditQueueWaits = Meter.CreateCounter<long>("mandate.audit.queue_waits", "{decision}", "Decisions that found the audit queue full and waited for room (backpressure)");
        auditRefused = Meter.CreateCounter<long>("mandate.audit.refused", "{decision}", "Decisions refused with 503 audit-unavailable because the audit queue stayed full");
        signalDeliveries = Meter.CreateCounter<long>("mandate.signals.deliveries", "{attempt}", "Delivery attempts of webhooks and pushed SETs, by channel (webhook, ssf) and outcome (delivered, retry, dead)");
        dynamicCredentials = Meter.CreateCounter<long>("mandate.dynamic_credentials", "{credential}", "Task-bound downstream credentials, by engine and outcome (issued, issue_failed, revoked, revocation_failed)");
        setsReceived = Meter.CreateCounter<long>("mandate.ssf.received", "{set}", "Security Event Tokens pushed to the receiver, by outcome (accepted, or the RFC 8935 error)");
    }

    /// <summary>The meter the gauges are created on.</summary>
    public Meter Meter { get; }

    /// <summary>A decision's outcome and the time from <paramref name="startTimestamp"/> (<see cref="Stopwatch.GetTimestamp"/>).</summary>
    public void Decided(string outcome, long startTimestamp)
    {
        var tag = new KeyValuePair<string, object?>("outcome", outcome);
        decisions.Add(1, tag);
        decisionDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, tag);
    }

    public void CredentialIssued(string kind) => credentialsIssued.Add(1, new KeyValuePair<string, object?>("kind", kind));

    /// <summary>An exchange's outcome; <paramref name="error"/> is its OAuth error code (anything else is counted as <c>other</c>).</summary>
    public void TokenExchanged(string? error)
    {
        if (error is null)
        {
            tokenExchanges.Add(1, new KeyValuePair<string, object?>("outcome", "issued"), new KeyValuePair<string, object?>("error", "none"));
        }
        else
        {
            tokenExchanges.Add(1, new KeyValuePair<string, object?>("outcome", "refused"), new KeyValuePair<string, object?>("error", OAuthErrors.Contains(error) ? error : "other"));
        }
    }

    public void Revoked(string targetKind, int credentials)
    {
        var tag = new KeyValuePair<string, object?>("target_kind", targetKind);
        revocations.Add(1, tag);
        if (credentials > 0)
        {
            credentialsRevoked.Add(credentials, tag);
        }
    }

    public void AuditAppended(int events) => auditAppends.Add(events);

    /// <summary>An allowed decision answered without its record: <see cref="UnwrittenReasons"/>.</summary>
    public void AuditUnwritten(string reason) => auditUnwritten.Add(1, new KeyValuePair<string, object?>("reason", reason));

    /// <summary>A decision that found the audit queue full and waited for room.</summary>
    public void AuditQueueWaited() => auditQueueWaits.Add(1);

    /// <summary>A decision refused because the audit queue stayed full.</summary>
    public void AuditRefused() => auditRefused.Add(1);

    /// <summary>One delivery attempt of an outbound signal and its outcome (<c>delivered</c>, <c>retry</c>, <c>dead</c>).</summary>
    public void SignalAttempted(string channel, string outcome) =>
        signalDeliveries.Add(1, new KeyValuePair<string, object?>("channel", channel), new KeyValuePair<string, object?>("outcome", outcome));

    /// <summary>A SET pushed to the receiver: <c>accepted</c>, or the RFC 8935 error it was refused with.</summary>
    public void DynamicCredential(string engine, string outcome) =>
        dynamicCredentials.Add(1, new KeyValuePair<string, object?>("engine", engine), new KeyValuePair<string, object?>("outcome", outcome));

    public void SetReceived(string outcome) => setsReceived.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void Dispose() => ownMeter?.Dispose();

    /// <summary>Values of the <c>reason</c> tag of <c>mandate.audit.unwritten</c>.</summary>
    public static class UnwrittenReasons
    {
        public const string Sampled = "sampled";
        public const string QueueFull = "queue_full";
    }

    /// <summary>Values of the <c>outcome</c> tag of <c>mandate.decisions</c>.</summary>
    public static class DecisionOutcomes
    {
        public const string Allow = "allow";
        public const string Deny = "deny";

        /// <summary>The request (or batch item) could not be evaluated, or a policy failed to evaluate and the answer is deny.</summary>
        public const string Error = "error";

        public static string Of(bool allowed, bool failed) => allowed ? Allow : failed ? Error : Deny;
    }

    /// <summary>Values of the <c>outcome</c> tag of <c>mandate.dynamic_credentials</c>.</summary>
    public static class DynamicCredentialOutcomes
    {
        public const string Issued = "issued";
        public const string IssueFailed = "issue_failed";
        public const string Revoked = "revoked";
        public const string RevocationFailed = "revocation_failed";
        public const string Extended = "extended";
        public const string ExtensionFailed = "extension_failed";
    }

    /// <summary>Values of the <c>kind</c> tag of <c>mandate.credentials.issued</c>.</summary>
    public static class IssuedKinds
    {
        public const string Task = "task";
        public const string Exchanged = "exchanged";
        public const string JwtSvid = "jwt_svid";
        public const string X509Svid = "x509_svid";
        public const string JoinToken = "join_token";
    }
}
