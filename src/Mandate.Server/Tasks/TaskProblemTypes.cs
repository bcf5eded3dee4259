using Mandate.Core.Tasks;

namespace Mandate.Server.Tasks;

/// <summary>Problem codes of the task and revocation APIs (listed in docs/errors.md).</summary>
internal static class TaskProblemTypes
{
    public const string InvalidDpopProof = "invalid-dpop-proof";

    public const string ClientCertificateRevoked = "client-certificate-revoked";
    public const string RevocationTargetNotFound = "revocation-target-not-found";

    public static int StatusOf(string code) => code switch
    {
        TaskErrorCodes.InvalidIntent or TaskErrorCodes.TtlTooLong => StatusCodes.Status400BadRequest,
        TaskErrorCodes.Denied => StatusCodes.Status403Forbidden,
        TaskErrorCodes.NotFound => StatusCodes.Status404NotFound,
        TaskErrorCodes.NotOpen or TaskErrorCodes.LeaseLimit => StatusCodes.Status409Conflict,
        _ => StatusCodes.Status400BadRequest,
    };
}
