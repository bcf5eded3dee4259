namespace Mandate.Core.Audit.Canonical;

/// <summary>A JSON value that RFC 8785 cannot canonicalize (invalid JSON, NaN, a duplicate member, a lone surrogate).</summary>
internal sealed class JsonCanonicalizationException : Exception
{
    public JsonCanonicalizationException(string message)
        : base(message)
    {
    }

    public JsonCanonicalizationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public JsonCanonicalizationException()
    {
    }
}
