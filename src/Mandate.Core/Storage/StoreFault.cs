namespace Mandate.Core.Storage;

/// <summary>What kind of store failure a <see cref="StoreException"/> reports: shown in <c>/readyz</c> and logs.</summary>
internal enum StoreFault
{
    /// <summary>Not classified further (a refusal at start, an unexpected driver error).</summary>
    Other,

    /// <summary>The database cannot be reached or the connection broke (PostgreSQL down, network, file cannot be opened).</summary>
    Unreachable,

    /// <summary>Another connection holds the lock longer than the busy timeout (SQLite busy or locked).</summary>
    Busy,

    /// <summary>The database refuses writes (read-only file or mount, a read-only PostgreSQL).</summary>
    ReadOnly,

    /// <summary>The disk or file system failed (I/O error, disk full).</summary>
    Io,

    /// <summary>The database is corrupt or not a database.</summary>
    Corrupt,

    /// <summary>The schema is not what this build expects (a missing table or column, a newer schema).</summary>
    Schema,

    /// <summary>The database server refused or aborted the statement (out of resources, shutting down, a conflict).</summary>
    Server,
}
