namespace Mandate.Server.Http;

/// <summary>
/// The largest JSON body each endpoint family reads (<see cref="JsonBody"/> holds it on the stream, so a chunked body
/// without <c>Content-Length</c> is cut at it too; 413 <c>payload-too-large</c> beyond it). The decision point has its
/// own setting, <c>Mandate:Decisions:MaxRequestBodyBytes</c>.
/// </summary>
internal static class BodyLimits
{
    /// <summary>
    /// 64 KiB: requests that name a few things — tasks, revocations, identities and their status changes, attestation
    /// and join tokens, SVIDs, audit annotations.
    /// </summary>
    public const long Request = 64 * 1024;

    /// <summary>
    /// 64 KiB: an OAuth form (token exchange, introspection, revocation): two tokens, a client assertion and a few
    /// parameters are a few kilobytes; 413 <c>invalid_request</c> beyond it.
    /// </summary>
    public const long OAuthForm = 64 * 1024;

    /// <summary>16 MiB: a policy bundle (Cedar files, the schema and the entity data) to activate or validate.</summary>
    public const long PolicyBundle = 16 * 1024 * 1024;

    /// <summary>
    /// 64 MiB: an inventory file to import (<c>POST /v1/identities/import</c>, the file itself as the body): a
    /// 100,000-user IAM credential report is about 30 MiB. Only that endpoint reads this much.
    /// </summary>
    public const long InventoryImport = 64 * 1024 * 1024;

    /// <summary>
    /// 32 MiB: a registered secret scan (<c>POST /v1/secrets/scans</c>): fingerprints and locations, about 200 bytes a
    /// location, so a repository whose history holds 100,000 sightings fits.
    /// </summary>
    public const long SecretScan = 32 * 1024 * 1024;
}
