namespace Mandate.Core.Secrets;

/// <summary>Where a secret was seen: a file (relative to the scanned root, '/'-separated) and line, and for a history
/// scan the commit that introduced that version of the file and the commit's date.</summary>
internal sealed record SecretLocation(string File, int Line, string? Commit = null, DateTimeOffset? Date = null);
