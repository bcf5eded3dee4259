namespace Mandate.Core.Tasks;

/// <summary>Task settings (configuration section <c>Mandate:Tasks</c>).</summary>
internal sealed class TaskOptions
{
    public const string SectionName = "Mandate:Tasks";

    /// <summary>TTL when the request names none.</summary>
    public TimeSpan DefaultTtl { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The longest TTL a task may be opened (or renewed) with.</summary>
    public TimeSpan MaxTtl { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The longest a task may live from opening, renewals included.</summary>
    public TimeSpan MaxLeaseTotal { get; set; } = TimeSpan.FromHours(8);

    /// <summary>How many times a lease may be renewed.</summary>
    public int MaxRenewals { get; set; } = 10;

    /// <summary>
    /// How long the credential a renewal replaces stays valid after the renewal is issued (for requests already in
    /// flight). Zero, the default, revokes it in the renewal's own transaction; otherwise the sweeper revokes it once the
    /// grace has passed. At most <see cref="MaxTtl"/>.
    /// </summary>
    public TimeSpan RenewalGrace { get; set; } = TimeSpan.Zero;

    /// <summary>How often the sweeper closes tasks whose lease ended.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The Cedar entity type of the workload or agent opening a task.</summary>
    public string PrincipalEntityType { get; set; } = "Workload";

    /// <summary>The Cedar action asked about when a task is opened.</summary>
    public string OpenTaskAction { get; set; } = "OpenTask";

    public string ActionEntityType { get; set; } = "Action";

    /// <summary>The Cedar entity type of the task being opened.</summary>
    public string TaskEntityType { get; set; } = "Task";

    /// <summary>Longest accepted intent description, and most entries in any intent list.</summary>
    public int MaxDescriptionLength { get; set; } = 2000;

    public int MaxIntentEntries { get; set; } = 100;
}
