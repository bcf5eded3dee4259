namespace Mandate.Core.Exceptions;

/// <summary>Exceptions and break-glass (configuration section <c>Mandate:Exceptions</c>).</summary>
internal sealed class ExceptionOptions
{
    public const string SectionName = "Mandate:Exceptions";

    /// <summary>The hard upper bound of a break-glass grant: a setting may lower it, never raise it.</summary>
    public static readonly TimeSpan BreakGlassCeiling = TimeSpan.FromHours(1);

    /// <summary>The longest TTL an exception may ask for.</summary>
    public TimeSpan MaxTtl { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The longest break-glass grant (at most <see cref="BreakGlassCeiling"/>).</summary>
    public TimeSpan BreakGlassMaxTtl { get; set; } = BreakGlassCeiling;

    /// <summary>
    /// The shortest TTL any grant may have. One minute by default: shorter grants are mistakes more often than needs.
    /// (Tests lower it to see expiry happen.)
    /// </summary>
    public TimeSpan MinTtl { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How often the server ends grants (and lapses pending requests) past their expiry, with or without traffic.
    /// Decisions check the expiry themselves, so this bounds only how late the store and ledger say so.
    /// </summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long the reviewer has to review a break-glass activation.</summary>
    public TimeSpan BreakGlassReviewDue { get; set; } = TimeSpan.FromDays(7);
}
