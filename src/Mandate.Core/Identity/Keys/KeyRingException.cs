namespace Mandate.Core.Identity.Keys;

/// <summary>The key ring cannot load its keys (wrong key-encryption key, damaged key). The message is for an operator and never carries key material.</summary>
internal sealed class KeyRingException : Exception
{
    public KeyRingException(string message)
        : base(message)
    {
    }

    public KeyRingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public KeyRingException()
    {
    }
}
