namespace Mandate.Core.Policies;

/// <summary>One Cedar policy file by its name (used as the source in diagnostics).</summary>
internal sealed record PolicyFile(string Name, string Text);
