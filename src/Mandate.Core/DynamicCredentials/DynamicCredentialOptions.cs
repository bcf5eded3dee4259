namespace Mandate.Core.DynamicCredentials;

/// <summary>Task-bound dynamic credentials (configuration section <c>Mandate:DynamicCredentials</c>).</summary>
internal sealed class DynamicCredentialOptions
{
    public const string SectionName = "Mandate:DynamicCredentials";

    /// <summary>The engines by name (the name a task asks for and the Cedar resource id).</summary>
    public Dictionary<string, DynamicCredentialEngineOptions> Engines { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>How often pending removals are retried and expired leases looked for (a task's end triggers one at once).</summary>
    public TimeSpan RevocationInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest wait between two attempts at removing a credential whose downstream system failed.</summary>
    public TimeSpan MaxRetryBackoff { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long one attempt may take before another node may try the same removal again.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The Cedar action asked about when a task asks for a dynamic credential.</summary>
    public string IssueAction { get; set; } = "IssueDynamicCredential";

    /// <summary>The Cedar entity type of an engine (the resource of the decision).</summary>
    public string EngineEntityType { get; set; } = "DynamicCredentialEngine";
}
