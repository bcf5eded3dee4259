namespace Mandate.Core.Decisions;

/// <summary>Who is asking and how: the request id to echo and audit, and whether the caller may see reasons.</summary>
internal sealed record AuthZenCall(string? RequestId, bool IncludeDiagnostics, string? Caller = null);
