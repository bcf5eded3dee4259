namespace Mandate.Benchmarks.Cedar.Apps;

/// <summary>An action of an app's schema: its action groups and the principal and resource types it applies to.</summary>
public sealed record ActionShape(string Id, IReadOnlyList<string> Parents, IReadOnlyList<string> PrincipalTypes, IReadOnlyList<string> ResourceTypes);
