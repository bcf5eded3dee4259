namespace Mandate.Benchmarks.Cedar.Model;

/// <summary>
/// One entity hierarchy and the requests asked against it (the harness of the Cedar paper asks 500 requests per
/// hierarchy). Action entities (with the action groups of the schema) are part of <see cref="Entities"/>.
/// </summary>
public sealed record Hierarchy(IReadOnlyList<GeneratedEntity> Entities, IReadOnlyList<GeneratedRequest> Requests);
