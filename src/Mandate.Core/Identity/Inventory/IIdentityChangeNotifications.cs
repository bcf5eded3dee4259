namespace Mandate.Core.Identity.Inventory;

/// <summary>
/// Identity changes announced by other nodes sharing the store (PostgreSQL LISTEN/NOTIFY). Each payload is the SPIFFE
/// ID of one identity that was registered or changed status.
/// </summary>
public interface IIdentityChangeNotifications
{
    /// <summary>Listens until cancelled, calling <paramref name="onPayload"/> for each announcement; throws when the connection breaks.</summary>
    Task ListenAsync(Func<string, Task> onPayload, Action onListening, CancellationToken cancellationToken);
}
