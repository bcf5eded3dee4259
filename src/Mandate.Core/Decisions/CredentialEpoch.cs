using System.Globalization;
using Mandate.Core.Credentials;
using Mandate.Core.Identity.Inventory;

namespace Mandate.Core.Decisions;

/// <summary>
/// This node's credential-state epoch: the revocation set's epoch and the identity directory's, read before a
/// decision is made and sent with it (<c>X-Mandate-Credential-Epoch</c>). A client cache labels each answer with it
/// and stops serving the answer as soon as any later answer reports another epoch, so a revocation or a suspension
/// invalidates cached allows at the client's next call to the PDP instead of when they time out. Either part is
/// absent (0) when its feature is not registered.
/// </summary>
internal sealed class CredentialEpoch(IRevocationSet? revocations, IdentityDirectory? directory)
{
    public string Current =>
        string.Create(CultureInfo.InvariantCulture, $"{revocations?.Epoch ?? 0}.{directory?.Epoch ?? 0}");
}
