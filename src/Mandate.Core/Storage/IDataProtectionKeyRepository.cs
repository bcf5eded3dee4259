namespace Mandate.Core.Storage;

/// <summary>
/// The ASP.NET Core data-protection key ring shared by every node on the store (it protects the console's cookies):
/// one row per key, its XML encrypted under the key-encryption key before it gets here. Keys are only ever added (the
/// framework retires a key by adding a revocation element, never by changing a row).
/// </summary>
internal interface IDataProtectionKeyRepository
{
    /// <summary>Every stored element's name and protected value, oldest first.</summary>
    Task<IReadOnlyList<(string Name, string Value)>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Adds an element; a name already stored keeps its value (the framework names each element uniquely).</summary>
    Task AddAsync(string name, string value, DateTimeOffset now, CancellationToken cancellationToken);
}
