namespace Mandate.Core.Decisions;

/// <summary>
/// An AuthZEN request the decision point cannot evaluate (a missing or mistyped member, an unknown entity type): 400 for
/// a whole request, an in-place failed item in a batch. <see cref="Code"/> is one of <see cref="AuthZenErrorCodes"/>.
/// </summary>
internal sealed class AuthZenRequestException : Exception
{
    public AuthZenRequestException()
        : this(AuthZenErrorCodes.InvalidRequest, "The AuthZEN request is not valid.")
    {
    }

    public AuthZenRequestException(string message)
        : this(AuthZenErrorCodes.InvalidRequest, message)
    {
    }

    public AuthZenRequestException(string message, Exception innerException)
        : base(message, innerException)
    {
        Code = AuthZenErrorCodes.InvalidRequest;
    }

    public AuthZenRequestException(string code, string message)
        : base(message)
    {
        Code = code;
    }

    public string Code { get; }
}
