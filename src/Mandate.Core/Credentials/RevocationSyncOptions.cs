namespace Mandate.Core.Credentials;

/// <summary>How the in-memory revocation set follows the store (configuration section <c>Mandate:Revocation</c>).</summary>
internal sealed class RevocationSyncOptions
{
    public const string SectionName = "Mandate:Revocation";

    /// <summary>How often revocations recorded since the last poll are read (catches anything a notification missed).</summary>
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the whole set is rebuilt from the store (drops credentials that have expired anyway).</summary>
    public TimeSpan FullReloadInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Overlap of incremental polls, covering clock differences between nodes and slow commits.</summary>
    public TimeSpan PollOverlap { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often recorded credential uses are written to the store.</summary>
    public TimeSpan UseFlushInterval { get; set; } = TimeSpan.FromSeconds(5);
}
