namespace Mandate.Cedar;

/// <summary>A policy whose evaluation raised an error (it was skipped, as if not satisfied).</summary>
public sealed record AuthorizationError(string PolicyId, string Message);
