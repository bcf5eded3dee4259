namespace Mandate.Core.DynamicCredentials;

/// <summary>One engine (<c>Mandate:DynamicCredentials:Engines:&lt;name&gt;</c>).</summary>
internal sealed class DynamicCredentialEngineOptions
{
    /// <summary>The engine kind: <c>postgresql</c>.</summary>
    public string? Kind { get; set; }

    /// <summary>
    /// How Mandate connects as the management role (a secret: never logged, recorded or returned). Set this (or the
    /// environment variable <c>Mandate__DynamicCredentials__Engines__&lt;name&gt;__ConnectionString</c>) or
    /// <see cref="ConnectionStringFile"/>, not both.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>A file holding the connection string (a mounted secret), read at start.</summary>
    public string? ConnectionStringFile { get; set; }

    /// <summary>The roles every credential of this engine is made a member of.</summary>
    public List<string> GrantRoles { get; } = [];

    /// <summary>The start of every user name this engine creates (lower-case letters, digits, underscores).</summary>
    public string RoleNamePrefix { get; set; } = "mandate_";

    /// <summary>The longest a credential lives, even when its task's lease is longer.</summary>
    public TimeSpan MaxTtl { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The connection string, from the setting or the file.</summary>
    public string ResolveConnectionString() =>
        ConnectionString ?? (ConnectionStringFile is { } file ? File.ReadAllText(file).Trim() : throw new InvalidOperationException("The engine has no connection string."));
}
