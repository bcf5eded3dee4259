namespace Mandate.Cedar;

/// <summary>Bad Cedar input (entities, values, schema, policies) described precisely enough to fix it.</summary>
public class CedarException : Exception
{
    public CedarException()
    {
    }

    public CedarException(string message)
        : base(message)
    {
    }

    public CedarException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
