namespace Mandate.Server;

/// <summary>Every log line the server writes. Never a token, key or secret as a parameter.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "Mandate {Version} starting on {Urls} with store {Store}")]
    public static partial void Starting(ILogger logger, string version, string urls, string store);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Store migrated to schema version {Version}")]
    public static partial void StoreMigrated(ILogger logger, int version);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "Demo mode: admin token written to {Path} (mode 0600)")]
    public static partial void DemoTokenWritten(ILogger logger, string path);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "Bootstrap admin token created and written to {Path} (mode 0600); it is not stored in clear anywhere else")]
    public static partial void BootstrapTokenWritten(ILogger logger, string path);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Information, Message = "Demo estate seeded")]
    public static partial void DemoSeeded(ILogger logger);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Information, Message = "The bootstrap admin token is disabled (Mandate:Admin:BootstrapToken); operators authenticate with their own tokens")]
    public static partial void BootstrapTokenDisabled(ILogger logger);

    [LoggerMessage(EventId = 1100, Level = LogLevel.Warning, Message = "Admin authentication failed from {Remote} on {Path}: {Reason}")]
    public static partial void AdminAuthenticationFailed(ILogger logger, string? remote, string path, string reason);

    [LoggerMessage(EventId = 1901, Level = LogLevel.Warning, Message = "Store unavailable on {Method} {Path} ({Fault}): {Problem}; answered 503")]
    public static partial void StoreUnavailable(ILogger logger, string method, string path, string fault, string problem);

    // Debug: under overload this happens per request; mandate.audit.refused counts it for the operator.
    [LoggerMessage(EventId = 1902, Level = LogLevel.Debug, Message = "Audit queue full on {Method} {Path}; answered 503 audit-unavailable")]
    public static partial void AuditUnavailable(ILogger logger, string method, string path);

    [LoggerMessage(EventId = 1900, Level = LogLevel.Error, Message = "Unhandled error on {Method} {Path}")]
    public static partial void Unhandled(ILogger logger, Exception exception, string method, string path);
}
