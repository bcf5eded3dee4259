using System.Collections.Frozen;
using Mandate.Core.Decisions;
using Mandate.Core.DynamicCredentials;
using Mandate.Core.Exceptions;
using Mandate.Core.Governance.Reviews;
using Mandate.Core.Identity;
using Mandate.Core.Operators;
using Mandate.Core.Tasks;
using Mandate.Server.Audit;
using Mandate.Server.Decisions;
using Mandate.Server.Detection;
using Mandate.Server.Tasks;

namespace Mandate.Server.Problems;

/// <summary>
/// Every problem type the server answers with, and its one title: the only place a title is written. A code is the
/// last segment of its problem-details <c>type</c> and a row of docs/errors.md (with the same title); the feature
/// code constants (<see cref="IdentityErrorCodes"/>, <see cref="TaskErrorCodes"/>, <see cref="AuthZenErrorCodes"/>,
/// <see cref="AuditProblemTypes"/>, <see cref="TaskProblemTypes"/>, <see cref="AuthZenProblemTypes"/>,
/// <see cref="OperatorErrorCodes"/>, <see cref="PepCredentialErrorCodes"/>, <see cref="DetectionProblemTypes"/>,
/// <see cref="ReviewErrorCodes"/>, <see cref="GrantErrorCodes"/>) each
/// have a row.
/// </summary>
internal static class ProblemTypes
{
    public const string BaseUri = "https://mandate.dev/problems/";

    // Any endpoint
    public static readonly ProblemType Unauthenticated = new("unauthenticated", "Authentication required.");
    public static readonly ProblemType Forbidden = new("forbidden", "Forbidden.");
    public static readonly ProblemType NotFound = new("not-found", "Not found.");
    public static readonly ProblemType MethodNotAllowed = new("method-not-allowed", "Method not allowed.");
    public static readonly ProblemType InvalidRequest = new(AuthZenErrorCodes.InvalidRequest, "The request is not valid.");
    public static readonly ProblemType MalformedJson = new("malformed-json", "The request body is not valid JSON.");
    public static readonly ProblemType PayloadTooLarge = new("payload-too-large", "The request body is too large.");
    public static readonly ProblemType UnsupportedMediaType = new("unsupported-media-type", "Unsupported media type.");
    public static readonly ProblemType Conflict = new("conflict", "Conflict.");
    public static readonly ProblemType StoreUnavailable = new("store-unavailable", "The store is unavailable.");
    public static readonly ProblemType AuditUnavailable = new("audit-unavailable", "The audit ledger cannot take the record.");
    public static readonly ProblemType Starting = new("starting", "The server is starting.");
    public static readonly ProblemType StateStale = new("state-stale", "This node cannot confirm its view of the store is current.");
    public static readonly ProblemType RateLimited = new("rate-limited", "Too many requests.");
    public static readonly ProblemType Internal = new("internal-error", "An internal error occurred.");

    // Audit
    public static readonly ProblemType InvalidAuditQuery = new(AuditProblemTypes.InvalidAuditQuery, "The audit query is not valid.");
    public static readonly ProblemType AuditEventNotFound = new(AuditProblemTypes.AuditEventNotFound, "No such audit event.");
    public static readonly ProblemType AuditEventNotCheckpointed = new(AuditProblemTypes.AuditEventNotCheckpointed, "The event is not covered by a signed checkpoint yet.");
    public static readonly ProblemType InvalidAuditAnnotation = new(AuditProblemTypes.InvalidAuditAnnotation, "The audit annotation is not valid.");

    // Workload identity: tokens
    public static readonly ProblemType TokenMalformed = new(IdentityErrorCodes.TokenMalformed, "The token is malformed.");
    public static readonly ProblemType TokenTooLarge = new(IdentityErrorCodes.TokenTooLarge, "The token is too large.");
    public static readonly ProblemType TokenAlgorithmRefused = new(IdentityErrorCodes.TokenAlgorithmRefused, "The token's algorithm is refused.");
    public static readonly ProblemType TokenUnknownKey = new(IdentityErrorCodes.TokenUnknownKey, "The token's signing key is unknown.");
    public static readonly ProblemType TokenSignatureInvalid = new(IdentityErrorCodes.TokenSignatureInvalid, "The token's signature is not valid.");
    public static readonly ProblemType TokenExpired = new(IdentityErrorCodes.TokenExpired, "The token has expired.");
    public static readonly ProblemType TokenNotYetValid = new(IdentityErrorCodes.TokenNotYetValid, "The token is not valid yet.");
    public static readonly ProblemType TokenAudienceMismatch = new(IdentityErrorCodes.TokenAudienceMismatch, "The token is for another audience.");
    public static readonly ProblemType TokenIssuerMismatch = new(IdentityErrorCodes.TokenIssuerMismatch, "The token is from another issuer.");
    public static readonly ProblemType TokenSubjectInvalid = new(IdentityErrorCodes.TokenSubjectInvalid, "The token's subject is not valid.");
    public static readonly ProblemType TokenRevoked = new(IdentityErrorCodes.TokenRevoked, "The token was revoked.");

    // Workload identity: inventory
    public static readonly ProblemType InvalidSpiffeId = new(IdentityErrorCodes.InvalidSpiffeId, "The SPIFFE ID is not valid.");
    public static readonly ProblemType IdentityInvalid = new(IdentityErrorCodes.IdentityInvalid, "The identity registration is not valid.");
    public static readonly ProblemType IdentityLifetimeExceeded = new(IdentityErrorCodes.IdentityLifetimeExceeded, "The identity lifetime is too long.");
    public static readonly ProblemType IdentityExists = new(IdentityErrorCodes.IdentityExists, "The identity is registered already.");
    public static readonly ProblemType IdentityUnknown = new(IdentityErrorCodes.IdentityUnknown, "Unknown identity.");
    public static readonly ProblemType IdentityInactive = new(IdentityErrorCodes.IdentityInactive, "The identity is not active.");
    public static readonly ProblemType IdentityTransitionRefused = new(IdentityErrorCodes.IdentityTransitionRefused, "The status change is refused.");

    // Workload identity: SVIDs and CSRs
    public static readonly ProblemType SvidAudienceRequired = new(IdentityErrorCodes.SvidAudienceRequired, "The SVID request needs an audience.");
    public static readonly ProblemType SvidTtlExceeded = new(IdentityErrorCodes.SvidTtlExceeded, "The SVID lifetime is not allowed.");
    public static readonly ProblemType CsrMalformed = new(IdentityErrorCodes.CsrMalformed, "The certificate signing request is malformed.");
    public static readonly ProblemType CsrSignatureInvalid = new(IdentityErrorCodes.CsrSignatureInvalid, "The certificate signing request's signature is not valid.");
    public static readonly ProblemType CsrExtraSan = new(IdentityErrorCodes.CsrExtraSan, "The certificate signing request asks for another name.");
    public static readonly ProblemType CsrCaRequested = new(IdentityErrorCodes.CsrCaRequested, "The certificate signing request asks for a CA certificate.");
    public static readonly ProblemType CsrKeyRefused = new(IdentityErrorCodes.CsrKeyRefused, "The certificate signing request's key is refused.");

    // Workload identity: attestation
    public static readonly ProblemType AttestationIssuerUntrusted = new(IdentityErrorCodes.AttestationIssuerUntrusted, "The platform token's issuer is not trusted.");
    public static readonly ProblemType AttestationNoRuleMatched = new(IdentityErrorCodes.AttestationNoRuleMatched, "No attestation rule matched.");
    public static readonly ProblemType AttestationIssuerUnavailable = new(IdentityErrorCodes.AttestationIssuerUnavailable, "The platform token's issuer is unavailable.");
    public static readonly ProblemType AttestationTokenReplayed = new(IdentityErrorCodes.AttestationTokenReplayed, "The platform token was used already.");
    public static readonly ProblemType JoinTokenInvalid = new(IdentityErrorCodes.JoinTokenInvalid, "The join token is not valid.");

    // Tasks and revocation
    public static readonly ProblemType TaskInvalidIntent = new(TaskErrorCodes.InvalidIntent, "The task intent is not valid.");
    public static readonly ProblemType TaskTtlTooLong = new(TaskErrorCodes.TtlTooLong, "The task lifetime is too long.");
    public static readonly ProblemType TaskDenied = new(TaskErrorCodes.Denied, "The task was denied.");
    public static readonly ProblemType TaskNotFound = new(TaskErrorCodes.NotFound, "No such task.");
    public static readonly ProblemType TaskNotOpen = new(TaskErrorCodes.NotOpen, "The task is not open.");
    public static readonly ProblemType TaskLeaseLimit = new(TaskErrorCodes.LeaseLimit, "The task lease cannot be renewed further.");
    public static readonly ProblemType InvalidDpopProof = new(TaskProblemTypes.InvalidDpopProof, "The DPoP proof is not valid.");

    public static readonly ProblemType ClientCertificateRevoked = new(TaskProblemTypes.ClientCertificateRevoked, "The client certificate is a revoked X.509-SVID.");
    public static readonly ProblemType RevocationTargetNotFound = new(TaskProblemTypes.RevocationTargetNotFound, "No such revocation target.");

    // Dynamic credentials
    public static readonly ProblemType DynamicCredentialEngineNotFound = new(DynamicCredentialErrorCodes.EngineNotFound, "No such dynamic credential engine.");
    public static readonly ProblemType DynamicCredentialDenied = new(DynamicCredentialErrorCodes.Denied, "The dynamic credential was denied.");
    public static readonly ProblemType DynamicCredentialEngineFailed = new(DynamicCredentialErrorCodes.EngineFailed, "The dynamic credential engine failed.");

    // Decision point (AuthZEN) and policies
    public static readonly ProblemType InputTooLarge = new(AuthZenErrorCodes.InputTooLarge, "An input is too large.");
    public static readonly ProblemType UnknownEntityType = new(AuthZenErrorCodes.UnknownEntityType, "Unknown entity type.");
    public static readonly ProblemType BatchTooLarge = new(AuthZenErrorCodes.BatchTooLarge, "The batch is too large.");
    public static readonly ProblemType UnknownEvaluationsSemantic = new(AuthZenErrorCodes.UnknownSemantic, "Unknown evaluations semantic.");
    public static readonly ProblemType InvalidPageToken = new(AuthZenErrorCodes.InvalidPageToken, "The page token is not valid.");
    public static readonly ProblemType PolicySetRejected = new(AuthZenProblemTypes.PolicySetRejected, "The policy set was rejected; the active one is unchanged.");

    // Operators and PEP credentials
    public static readonly ProblemType OperatorInvalid = new(OperatorErrorCodes.Invalid, "The operator request is not valid.");
    public static readonly ProblemType OperatorNotFound = new(OperatorErrorCodes.NotFound, "No such operator.");
    public static readonly ProblemType OperatorExists = new(OperatorErrorCodes.Exists, "The operator exists already.");
    public static readonly ProblemType OperatorDisabled = new(OperatorErrorCodes.Disabled, "The operator is disabled.");
    public static readonly ProblemType OperatorLastAdmin = new(OperatorErrorCodes.LastAdmin, "The last admin cannot be disabled.");
    public static readonly ProblemType OperatorTokenNotFound = new(OperatorErrorCodes.TokenNotFound, "No such operator token.");
    public static readonly ProblemType OperatorTokenRevoked = new(OperatorErrorCodes.TokenRevoked, "The operator token is revoked already.");
    public static readonly ProblemType OperatorSignInRefused = new(OperatorErrorCodes.SignInRefused, "Sign-in refused.");
    public static readonly ProblemType OperatorSignInNotConfigured = new(OperatorErrorCodes.SignInNotConfigured, "Sign-in is not configured.");
    public static readonly ProblemType SeparationOfDuties = new(OperatorErrorCodes.SeparationOfDuties, "Separation of duties: the approver is the requester.");
    public static readonly ProblemType PepCredentialInvalid = new(PepCredentialErrorCodes.Invalid, "The PEP credential request is not valid.");
    public static readonly ProblemType PepCredentialExists = new(PepCredentialErrorCodes.Exists, "The PEP credential exists already.");
    public static readonly ProblemType PepCredentialNotFound = new(PepCredentialErrorCodes.NotFound, "No such PEP credential.");
    public static readonly ProblemType PepCredentialRevoked = new(PepCredentialErrorCodes.Revoked, "The PEP credential is revoked already.");

    // Detection and response
    public static readonly ProblemType InvalidAlertQuery = new(DetectionProblemTypes.InvalidAlertQuery, "The alert query is not valid.");
    public static readonly ProblemType InvalidRiskIdentity = new(DetectionProblemTypes.InvalidRiskIdentity, "The identity is not valid here.");
    public static readonly ProblemType InvalidWebhook = new(DetectionProblemTypes.InvalidWebhook, "The webhook request is not valid.");
    public static readonly ProblemType WebhookNotFound = new(DetectionProblemTypes.WebhookNotFound, "No such webhook endpoint or message.");
    public static readonly ProblemType InvalidSsfStream = new(DetectionProblemTypes.InvalidSsfStream, "The Shared Signals stream request is not valid.");
    public static readonly ProblemType SsfStreamNotFound = new(DetectionProblemTypes.SsfStreamNotFound, "No such Shared Signals stream.");

    // Access reviews and offboarding
    public static readonly ProblemType ReviewInvalid = new(ReviewErrorCodes.Invalid, "The access review request is not valid.");
    public static readonly ProblemType ReviewNotFound = new(ReviewErrorCodes.NotFound, "No such access review or item.");
    public static readonly ProblemType ReviewItemDecided = new(ReviewErrorCodes.ItemDecided, "The review item is decided already.");
    public static readonly ProblemType ReviewNotReviewer = new(ReviewErrorCodes.NotReviewer, "Only the review's reviewer decides its items.");
    public static readonly ProblemType ReviewItemNotLiftable = new(ReviewErrorCodes.NotLiftable, "The review item is not a revoked entitlement that can be lifted.");
    public static readonly ProblemType OwnerDeparted = new(ReviewErrorCodes.OwnerDeparted, "The owner has departed.");
    public static readonly ProblemType OffboardingInvalid = new(ReviewErrorCodes.OffboardingInvalid, "The offboarding request is not valid.");
    public static readonly ProblemType OffboardingNotFound = new(ReviewErrorCodes.OffboardingNotFound, "No such offboarding.");

    // Exceptions and break-glass
    public static readonly ProblemType ExceptionInvalid = new(GrantErrorCodes.Invalid, "The exception or break-glass request is not valid.");
    public static readonly ProblemType ExceptionNotFound = new(GrantErrorCodes.NotFound, "No such exception or break-glass grant.");
    public static readonly ProblemType ExceptionConflict = new(GrantErrorCodes.Conflict, "The grant is not in a status this applies to.");
    public static readonly ProblemType ExceptionIdentityUnknown = new(GrantErrorCodes.IdentityUnknown, "The identity is not registered.");

    /// <summary>Every problem type, in the order above.</summary>
    public static IReadOnlyList<ProblemType> All { get; } =
    [
        Unauthenticated, Forbidden, NotFound, MethodNotAllowed, InvalidRequest, MalformedJson, PayloadTooLarge, UnsupportedMediaType,
        Conflict, StoreUnavailable, AuditUnavailable, Starting, StateStale, RateLimited, Internal,
        InvalidAuditQuery, AuditEventNotFound, AuditEventNotCheckpointed, InvalidAuditAnnotation,
        TokenMalformed, TokenTooLarge, TokenAlgorithmRefused, TokenUnknownKey, TokenSignatureInvalid, TokenExpired, TokenNotYetValid,
        TokenAudienceMismatch, TokenIssuerMismatch, TokenSubjectInvalid, TokenRevoked,
        InvalidSpiffeId, IdentityInvalid, IdentityLifetimeExceeded, IdentityExists, IdentityUnknown, IdentityInactive, IdentityTransitionRefused,
        SvidAudienceRequired, SvidTtlExceeded, CsrMalformed, CsrSignatureInvalid, CsrExtraSan, CsrCaRequested, CsrKeyRefused,
        AttestationIssuerUntrusted, AttestationNoRuleMatched, AttestationIssuerUnavailable, AttestationTokenReplayed, JoinTokenInvalid,
        TaskInvalidIntent, TaskTtlTooLong, TaskDenied, TaskNotFound, TaskNotOpen, TaskLeaseLimit, InvalidDpopProof, ClientCertificateRevoked, RevocationTargetNotFound,
        DynamicCredentialEngineNotFound, DynamicCredentialDenied, DynamicCredentialEngineFailed,
        InputTooLarge, UnknownEntityType, BatchTooLarge, UnknownEvaluationsSemantic, InvalidPageToken, PolicySetRejected,
        OperatorInvalid, OperatorNotFound, OperatorExists, OperatorDisabled, OperatorLastAdmin, OperatorTokenNotFound, OperatorTokenRevoked,
        OperatorSignInRefused, OperatorSignInNotConfigured, SeparationOfDuties,
        PepCredentialInvalid, PepCredentialExists, PepCredentialNotFound, PepCredentialRevoked,
        InvalidAlertQuery, InvalidRiskIdentity, InvalidWebhook, WebhookNotFound, InvalidSsfStream, SsfStreamNotFound,
        ReviewInvalid, ReviewNotFound, ReviewItemDecided, ReviewNotReviewer, ReviewItemNotLiftable, OwnerDeparted, OffboardingInvalid, OffboardingNotFound,
        ExceptionInvalid, ExceptionNotFound, ExceptionConflict, ExceptionIdentityUnknown,
    ];

    private static readonly FrozenDictionary<string, ProblemType> ByCode = All.ToFrozenDictionary(t => t.Code, StringComparer.Ordinal);

    /// <summary>The problem type of a code a feature reports (an <see cref="IdentityError"/>'s, a task outcome's…).</summary>
    /// <exception cref="InvalidOperationException">The code has no row here: a bug, caught by ProblemTypeTests.</exception>
    public static ProblemType Of(string code) =>
        ByCode.TryGetValue(code, out var type) ? type : throw new InvalidOperationException($"'{code}' is not a problem type of ProblemTypes.");

    public static bool TryGet(string code, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ProblemType? type) => ByCode.TryGetValue(code, out type);
}
