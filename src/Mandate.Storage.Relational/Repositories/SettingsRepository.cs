using Mandate.Core.Storage;

namespace Mandate.Storage.Relational.Repositories;

[Repository(typeof(ISettingsRepository))]
internal sealed class SettingsRepository(RelationalSession session) : ISettingsRepository
{
    public async Task<string?> GetAsync(string key, CancellationToken cancellationToken) =>
        await session.ScalarAsync("SELECT value FROM settings WHERE key = @k", cancellationToken, ("@k", key)).ConfigureAwait(false) as string;

    public Task SetAsync(string key, string value, DateTimeOffset now, CancellationToken cancellationToken) =>
        session.ExecuteAsync(
            "INSERT INTO settings (key, value, updated_at) VALUES (@k, @v, @t) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            cancellationToken,
            ("@k", key),
            ("@v", value),
            ("@t", now.ToUnixTimeMilliseconds()));

    public async Task<bool> TryAddAsync(string key, string value, DateTimeOffset now, CancellationToken cancellationToken) =>
        await session.ExecuteAsync(
            "INSERT INTO settings (key, value, updated_at) VALUES (@k, @v, @t) ON CONFLICT (key) DO NOTHING",
            cancellationToken,
            ("@k", key),
            ("@v", value),
            ("@t", now.ToUnixTimeMilliseconds())).ConfigureAwait(false) == 1;
}
