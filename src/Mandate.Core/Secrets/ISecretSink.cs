namespace Mandate.Core.Secrets;

/// <summary>
/// Receives each detection with its raw value as a span: the sink fingerprints it at once and keeps only the
/// fingerprint, so the value lives no longer than the buffer the file was read into.
/// </summary>
internal interface ISecretSink
{
    /// <param name="kind">A <see cref="SecretKinds"/> name.</param>
    /// <param name="confidence">A <see cref="SecretConfidence"/> name.</param>
    /// <param name="value">The secret (normalised: a PEM block's base64 body only). Never to be kept, printed or sent.</param>
    /// <param name="line">1-based line of the file the secret starts on.</param>
    /// <param name="credentialId">A public identifier that goes with the secret (an AWS access key id), when one is known.</param>
    void Found(string kind, string confidence, ReadOnlySpan<char> value, int line, string? credentialId);
}
