namespace Mandate.Core.Secrets;

/// <summary>
/// How sure a detection is: <c>checksum</c> (the format carries a checksum and it verified: GitHub's classic and app
/// tokens), <c>format</c> (a format with a vendor prefix or a fixed structure), <c>entropy</c> (a random-looking value
/// assigned to a secret-like name). A token whose checksum fails is not reported at all: it cannot authenticate.
/// </summary>
internal static class SecretConfidence
{
    public const string Checksum = "checksum";
    public const string Format = "format";
    public const string Entropy = "entropy";
}
