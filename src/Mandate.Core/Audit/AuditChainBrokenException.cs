namespace Mandate.Core.Audit;

/// <summary>The stored chain does not verify; the operation that needed it intact refused to go on.</summary>
internal sealed class AuditChainBrokenException : Exception
{
    public AuditChainBrokenException(string message)
        : base(message)
    {
    }

    public AuditChainBrokenException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public AuditChainBrokenException()
    {
    }
}
