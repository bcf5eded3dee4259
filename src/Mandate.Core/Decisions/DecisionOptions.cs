namespace Mandate.Core.Decisions;

/// <summary>How decisions are made, audited and bounded (configuration section <c>Mandate:Decisions</c>).</summary>
internal sealed class DecisionOptions
{
    public const string SectionName = "Mandate:Decisions";

    /// <summary>Fraction of allows written to the audit log (0..1). Denies are always written.</summary>
    public double AuditAllowSampleRate { get; set; } = 1.0;

    /// <summary>
    /// When a policy fails to evaluate, deny even if another policy permits (fail closed). Cedar alone would skip the
    /// failing policy, which can turn a broken forbid into an allow.
    /// </summary>
    public bool DenyOnPolicyError { get; set; } = true;

    /// <summary>Largest request body the AuthZEN endpoints read, in bytes.</summary>
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Most items a batch (<c>/access/v1/evaluations</c>) may carry.</summary>
    public int MaxBatchItems { get; set; } = 1000;

    /// <summary>Largest page a search returns; a request's <c>page.limit</c> is capped to it.</summary>
    public int MaxSearchPageSize { get; set; } = 1000;

    /// <summary>Pending audit records held in memory before deciders wait for the writer.</summary>
    public int AuditQueueCapacity { get; set; } = 20_000;
}
