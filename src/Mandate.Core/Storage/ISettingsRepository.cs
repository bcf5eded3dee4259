namespace Mandate.Core.Storage;

/// <summary>Small named values the control plane keeps about itself (bootstrap state, hashes of admin tokens).</summary>
internal interface ISettingsRepository
{
    Task<string?> GetAsync(string key, CancellationToken cancellationToken);

    Task SetAsync(string key, string value, DateTimeOffset now, CancellationToken cancellationToken);
}
