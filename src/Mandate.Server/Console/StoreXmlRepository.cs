using System.Xml.Linq;
using Mandate.Core.Storage;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace Mandate.Server.Console;

/// <summary>
/// Keeps ASP.NET Core data protection's key ring in the Mandate store (<c>data_protection_keys</c>, migration 0840),
/// so every node on the store reads the same keys: a console cookie issued by one node is accepted by another, and a
/// restart signs nobody out. The elements arrive here with their secret already encrypted by
/// <see cref="KeyRingEncryptor"/>. The framework's interface is synchronous; it is called when the key ring is loaded
/// or a key is added (rarely), never per request.
/// </summary>
internal sealed class StoreXmlRepository(IMandateStore store, TimeProvider time) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements() => GetAllAsync().GetAwaiter().GetResult();

    public void StoreElement(XElement element, string friendlyName)
    {
        ArgumentNullException.ThrowIfNull(element);
        StoreAsync(element, friendlyName).GetAwaiter().GetResult();
    }

    private async Task<IReadOnlyCollection<XElement>> GetAllAsync()
    {
        await using var session = await store.BeginAsync(StoreIntent.Read, CancellationToken.None).ConfigureAwait(false);
        var rows = await session.Get<IDataProtectionKeyRepository>().ListAsync(CancellationToken.None).ConfigureAwait(false);
        return [.. rows.Select(r => XElement.Parse(r.Value))];
    }

    private async Task StoreAsync(XElement element, string friendlyName)
    {
        // The framework's friendly names are unique ("key-{guid}", "revocation-{guid}"); one is made when it gives none.
        var name = string.IsNullOrWhiteSpace(friendlyName) ? "element-" + Guid.NewGuid().ToString("D") : friendlyName;
        await using var session = await store.BeginAsync(StoreIntent.Write, CancellationToken.None).ConfigureAwait(false);
        await session.Get<IDataProtectionKeyRepository>().AddAsync(name, element.ToString(SaveOptions.DisableFormatting), time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
        await session.CommitAsync(CancellationToken.None).ConfigureAwait(false);
    }
}
