namespace Mandate.Core.Tasks;

internal interface ITaskRepository
{
    Task InsertAsync(MandateTask task, CancellationToken cancellationToken);

    Task<MandateTask?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>Reads a task and holds its lock until the session ends, so that concurrent changes (complete, renew, sweep) apply one after another.</summary>
    Task<MandateTask?> GetForUpdateAsync(string id, CancellationToken cancellationToken);

    /// <summary>Newest first, optionally only one subject's or one status.</summary>
    Task<IReadOnlyList<MandateTask>> ListAsync(string? subject, string? status, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// One keyset page in the order of <see cref="ListAsync"/> (newest first: opening time descending, then id):
    /// the tasks after <paramref name="from"/> in that order (<paramref name="older"/>), or those before it, nearest
    /// first (then the caller puts them back in order). No offset: a page deep in a large table costs what the first does.
    /// </summary>
    Task<IReadOnlyList<MandateTask>> ListPageAsync(string? subject, string? status, TaskListCursor from, bool older, int limit, CancellationToken cancellationToken);

    /// <summary>Writes status, lease and closing fields.</summary>
    Task UpdateAsync(MandateTask task, CancellationToken cancellationToken);

    /// <summary>Open tasks whose lease ended at or before <paramref name="now"/>, oldest first.</summary>
    Task<IReadOnlyList<MandateTask>> ListDueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken);

    /// <summary>Open tasks whose lease has not ended at <paramref name="now"/> (the active-tasks gauge; one indexed count).</summary>
    Task<long> CountActiveAsync(DateTimeOffset now, CancellationToken cancellationToken);
}
