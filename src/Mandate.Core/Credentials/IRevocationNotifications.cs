namespace Mandate.Core.Credentials;

/// <summary>
/// Revocations announced by other nodes sharing the store (PostgreSQL LISTEN/NOTIFY). Each payload is
/// space-separated <c>jti</c>s, or <c>*</c> meaning "too many to list: reconcile from the store".
/// </summary>
public interface IRevocationNotifications
{
    /// <summary>Listens until cancelled, calling <paramref name="onPayload"/> for each announcement; throws when the connection breaks.</summary>
    Task ListenAsync(Func<string, Task> onPayload, Action onListening, CancellationToken cancellationToken);
}
