namespace Mandate.Core.Detection.Rules;

/// <summary>
/// One detection rule: it looks at every ledger record in order, remembers what it needs in the scope's state (which
/// is persisted with the cursor), and raises hits. Rules are deterministic in the records they see, so a replay from
/// the stored cursor and state decides exactly as the first run would have.
/// </summary>
internal interface IDetectionRule
{
    string Name { get; }

    void Observe(DetectionScope scope);
}
