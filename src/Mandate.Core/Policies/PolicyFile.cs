namespace Mandate.Core.Policies;

/// <summary>One Cedar policy file by its name (used as the source in diagnostics).</summary>
public sealed record PolicyFile(string Name, string Text);
