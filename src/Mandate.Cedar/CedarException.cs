namespace Mandate.Cedar;

/// <summary>Bad Cedar input (entities, values, schema, policies) described precisely enough to fix it.</summary>
public class CedarException : Exception
{
    /// <summary>An exception with the default message.</summary>
    public CedarException()
    {
    }

    /// <summary>An exception describing what is wrong with the input.</summary>
    public CedarException(string message)
        : base(message)
    {
    }

    /// <summary>An exception describing what is wrong with the input, caused by <paramref name="innerException"/>.</summary>
    public CedarException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
