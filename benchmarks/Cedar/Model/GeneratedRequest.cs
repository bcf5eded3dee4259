namespace Mandate.Benchmarks.Cedar.Model;

/// <summary>One authorization request of a generated corpus. Context fields are in a fixed order.</summary>
public sealed record GeneratedRequest(Uid Principal, Uid Action, Uid Resource, IReadOnlyList<(string Name, AttributeValue Value)> Context);
