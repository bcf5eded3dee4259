namespace Mandate.Core.Credentials;

internal sealed record DpopValidation(bool Valid, string? Thumbprint, string? Error)
{
    public static DpopValidation Fail(string error) => new(false, null, error);
}
