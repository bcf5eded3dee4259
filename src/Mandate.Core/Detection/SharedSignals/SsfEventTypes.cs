namespace Mandate.Core.Detection.SharedSignals;

/// <summary>
/// The Security Event Token event types Mandate transmits (CAEP, RISC and the SSF stream events) and those its receiver
/// acts on. URIs as the OpenID Shared Signals Framework 1.0, CAEP 1.0 and RISC 1.0 specifications define them.
/// </summary>
internal static class SsfEventTypes
{
    public const string CaepCredentialChange = "https://schemas.openid.net/secevent/caep/event-type/credential-change";
    public const string CaepSessionRevoked = "https://schemas.openid.net/secevent/caep/event-type/session-revoked";
    public const string CaepRiskLevelChange = "https://schemas.openid.net/secevent/caep/event-type/risk-level-change";
    public const string RiscCredentialCompromise = "https://schemas.openid.net/secevent/risc/event-type/credential-compromise";
    public const string RiscAccountDisabled = "https://schemas.openid.net/secevent/risc/event-type/account-disabled";
    public const string RiscAccountPurged = "https://schemas.openid.net/secevent/risc/event-type/account-purged";
    public const string SsfVerification = "https://schemas.openid.net/secevent/ssf/event-type/verification";
    public const string SsfStreamUpdated = "https://schemas.openid.net/secevent/ssf/event-type/stream-updated";

    /// <summary>What a stream may request (verification and stream-updated events are always delivered).</summary>
    public static readonly IReadOnlyList<string> Supported = [CaepCredentialChange, CaepSessionRevoked, CaepRiskLevelChange, RiscCredentialCompromise];

    /// <summary>What the receiver acts on: the end of a person, whose non-human identities go with them.</summary>
    public static readonly IReadOnlyList<string> Offboarding = [RiscAccountDisabled, RiscAccountPurged, CaepSessionRevoked];
}
