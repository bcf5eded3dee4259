namespace Mandate.Core.DynamicCredentials;

/// <summary>A credential an engine created. The password is handed to the caller once; <see cref="ToString"/> never shows it.</summary>
internal sealed class DynamicCredentialSecret(string username, string password)
{
    public string Username { get; } = username;

    public string Password { get; } = password;

    /// <summary>The user name only: a secret that ends up in a log line or an exception message by accident shows nothing.</summary>
    public override string ToString() => Username;
}
