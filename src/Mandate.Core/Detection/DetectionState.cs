using System.Text.Json.Serialization;

namespace Mandate.Core.Detection;

/// <summary>
/// What the rules remember about one identity, persisted as JSON under <c>identity:&lt;id&gt;</c> with the cursor, so a
/// restart resumes with the same windows, baselines and cooldowns. Times are Unix milliseconds of ledger records.
/// </summary>
internal sealed class IdentityDetectionState
{
    /// <summary>Per window key (a rule name): the recent matching events.</summary>
    public Dictionary<string, List<WindowEntry>> Windows { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Per cooldown key (a rule, or rule and credential): quiet until this time.</summary>
    public Dictionary<string, long> QuietUntil { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The time of the identity's first decision the engine saw (0: none yet).</summary>
    public long FirstDecisionAt { get; set; }

    public long Decisions { get; set; }

    /// <summary>Actions the identity has been decided for (bounded).</summary>
    public List<string> Actions { get; set; } = [];

    /// <summary>Resource types the identity has been decided for (bounded).</summary>
    public List<string> ResourceTypes { get; set; } = [];

    public RateState? Rate { get; set; }
}

/// <summary>What the rules remember about one credential (<c>credential:&lt;jti&gt;</c>).</summary>
internal sealed class CredentialDetectionState
{
    /// <summary>Client addresses the credential was used from, recently.</summary>
    public List<SourceEntry> Sources { get; set; } = [];

    /// <summary>Exchanges of this credential (as subject token), recently, keyed by their inputs.</summary>
    public List<SourceEntry> Exchanges { get; set; } = [];

    public long QuietUntil { get; set; }

    public long LastSeen { get; set; }
}

/// <summary>A matching event in a window: when, how many it stands for (a folded record counts its repeats), which record.</summary>
internal sealed record WindowEntry(long At, long Count, long Seq);

/// <summary>A value seen at a time in a record (a client address, an exchange's inputs).</summary>
internal sealed record SourceEntry(string Value, long At, long Seq);

/// <summary>The identity's decision rate: the open bucket and the EWMA mean and variance of closed ones.</summary>
internal sealed class RateState
{
    public long BucketStart { get; set; }

    public long BucketCount { get; set; }

    public List<long> BucketSeqs { get; set; } = [];

    public double Mean { get; set; }

    public double Variance { get; set; }

    public int Buckets { get; set; }

    public bool Fired { get; set; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(IdentityDetectionState))]
[JsonSerializable(typeof(CredentialDetectionState))]
[JsonSerializable(typeof(AlertResponse))]
[JsonSerializable(typeof(List<long>))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(SharedSignals.StoredConfig))]
internal sealed partial class DetectionJson : JsonSerializerContext;
