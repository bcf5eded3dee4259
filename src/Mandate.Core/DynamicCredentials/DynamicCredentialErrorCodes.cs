namespace Mandate.Core.DynamicCredentials;

/// <summary>Stable codes for refused dynamic credential requests (problem-details <c>code</c>; listed in docs/errors.md).</summary>
internal static class DynamicCredentialErrorCodes
{
    public const string EngineNotFound = "dynamic-credential-engine-not-found";
    public const string Denied = "dynamic-credential-denied";
    public const string EngineFailed = "dynamic-credential-engine-failed";
}
