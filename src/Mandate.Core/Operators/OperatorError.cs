namespace Mandate.Core.Operators;

/// <summary>Why an operator operation was refused: a stable <see cref="OperatorErrorCodes">code</see> and a message for the caller.</summary>
internal sealed record OperatorError(string Code, string Message);

/// <summary>A value, or the reason there is none.</summary>
internal sealed record OperatorResult<T>(T? Value, OperatorError? Error)
    where T : class
{
    public static OperatorResult<T> Ok(T value) => new(value, null);

    public static OperatorResult<T> Fail(string code, string message) => new(null, new OperatorError(code, message));
}
