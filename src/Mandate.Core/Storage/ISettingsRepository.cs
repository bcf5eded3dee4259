namespace Mandate.Core.Storage;

/// <summary>Small named values the control plane keeps about itself (bootstrap state, hashes of admin tokens).</summary>
internal interface ISettingsRepository
{
    Task<string?> GetAsync(string key, CancellationToken cancellationToken);

    Task SetAsync(string key, string value, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Stores <paramref name="value"/> only if <paramref name="key"/> holds nothing yet; false when it does (also when
    /// another transaction stored it first: PostgreSQL waits for that one's commit, SQLite writers are serialised).
    /// </summary>
    Task<bool> TryAddAsync(string key, string value, DateTimeOffset now, CancellationToken cancellationToken);
}
