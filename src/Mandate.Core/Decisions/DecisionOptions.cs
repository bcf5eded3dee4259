namespace Mandate.Core.Decisions;

/// <summary>How decisions are made, audited and bounded (configuration section <c>Mandate:Decisions</c>).</summary>
internal sealed class DecisionOptions
{
    public const string SectionName = "Mandate:Decisions";

    /// <summary>
    /// Fraction of allows written to the audit log (0..1). Denies are always written. Allows sampled out are counted
    /// in <c>audit.sampled</c> events (every <see cref="AuditLossReportInterval"/>, and at shutdown).
    /// </summary>
    public double AuditAllowSampleRate { get; set; } = 1.0;

    /// <summary>
    /// When a policy fails to evaluate, deny even if another policy permits (fail closed). Cedar alone would skip the
    /// failing policy, which can turn a broken forbid into an allow.
    /// </summary>
    public bool DenyOnPolicyError { get; set; } = true;

    /// <summary>Largest request body the AuthZEN endpoints read, in bytes.</summary>
    public long MaxRequestBodyBytes { get; set; } = 256 * 1024;

    /// <summary>Most items a batch (<c>/access/v1/evaluations</c>) may carry.</summary>
    public int MaxBatchItems { get; set; } = 100;

    /// <summary>
    /// Longest entity type, entity id or action name a request may name (UTF-16 code units). Ids are audited with every
    /// deny and reach policy matching (<c>like</c>, task globs), so they are bounded.
    /// </summary>
    public int MaxIdentifierLength { get; set; } = 256;

    /// <summary>Largest <c>properties</c> object of one subject, action or resource, in bytes of JSON.</summary>
    public int MaxPropertiesBytes { get; set; } = 8 * 1024;

    /// <summary>Largest <c>context</c> object of one evaluation, in bytes of JSON (a forwarded credential included).</summary>
    public int MaxContextBytes { get; set; } = 32 * 1024;

    /// <summary>
    /// Repeated identical denies (same client, request and reason) and repeated identical authentication failures
    /// within this window are written once and then counted in <c>*.repeated</c> records.
    /// Zero writes every one.
    /// </summary>
    public TimeSpan AuditRepeatWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Repeats counted within a window are written (one <c>*.repeated</c> record) at most this long after the first of
    /// them, not only when the window closes: detection sees a burst of the same refused request within seconds, and a
    /// flood still costs at most one ledger record per key and interval. Zero: only when the window closes.
    /// </summary>
    public TimeSpan AuditRepeatFlushAfter { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Whether enforcement points may call <c>/access/v1/*</c> without a credential. Null: <see
    /// cref="AnonymousPepAccess.Loopback"/> in demo mode, <see cref="AnonymousPepAccess.None"/> otherwise. Anonymous
    /// callers never see deny reasons.
    /// </summary>
    public AnonymousPepAccess? AllowAnonymousPeps { get; set; }

    /// <summary>
    /// PEP credentials the operator issued: a name and the SHA-256 (hex) of a bearer token of at least 32 characters.
    /// An enforcement point presents the token as <c>Authorization: Bearer</c>; only the hash is configured.
    /// </summary>
    public IList<PepCredentialOptions> PepCredentials { get; } = [];

    /// <summary>Largest page a search returns; a request's <c>page.limit</c> is capped to it.</summary>
    public int MaxSearchPageSize { get; set; } = 1000;

    /// <summary>Pending audit records held in memory before deciders wait for the writer.</summary>
    public int AuditQueueCapacity { get; set; } = 20_000;

    /// <summary>What a decision does when the audit queue is full: wait (the default) or, for allows only, be dropped and counted.</summary>
    public AuditOverflow AuditOverflow { get; set; } = AuditOverflow.Wait;

    /// <summary>
    /// When a decision is answered: once the transaction holding its record committed (the default; synced to the disk
    /// within <see cref="AuditFlushInterval"/>), once it committed and was synced (<see cref="AuditDurability.Flushed"/>),
    /// or once the record is queued (a crash loses the queue).
    /// </summary>
    public AuditDurability AuditDurability { get; set; } = AuditDurability.Committed;

    /// <summary>
    /// How soon decision records committed without a sync (<see cref="AuditDurability.Committed"/> and
    /// <see cref="AuditDurability.Queued"/> on SQLite) are synced to the disk: the window a power loss can take.
    /// </summary>
    public TimeSpan AuditFlushInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// How long a decision waits for room in a full audit queue, and (with <see cref="AuditDurability.Committed"/>) for
    /// the commit of the batch holding its record, before it is refused with 503 <c>audit-unavailable</c> (the ledger
    /// cannot keep up, or the store is down).
    /// </summary>
    public TimeSpan AuditQueueWaitTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often counts of allows not written (sampled or dropped) are written to the chain; also at shutdown.</summary>
    public TimeSpan AuditLossReportInterval { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>Which callers of <c>/access/v1/*</c> need no credential.</summary>
internal enum AnonymousPepAccess
{
    /// <summary>Every enforcement point authenticates (a workload JWT-SVID, a PEP credential, or the admin token).</summary>
    None,

    /// <summary>Clients connecting from a loopback address may call anonymously (the demo); everyone else authenticates.</summary>
    Loopback,
}

/// <summary>One operator-issued PEP credential (<c>Mandate:Decisions:PepCredentials</c>).</summary>
internal sealed class PepCredentialOptions
{
    /// <summary>The enforcement point's name, recorded as the caller of its decisions (<c>pep:&lt;name&gt;</c>).</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>Lower-case hex SHA-256 of the token.</summary>
    public string TokenSha256 { get; set; } = string.Empty;
}
