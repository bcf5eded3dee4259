namespace Mandate.Core.Admin;

/// <summary>The bootstrap admin token (configuration section <c>Mandate:Admin</c>).</summary>
internal sealed class AdminOptions
{
    public const string SectionName = "Mandate:Admin";

    /// <summary>
    /// <c>Enabled</c> (default): the bootstrap admin token works and acts as <c>admin</c>. <c>Disabled</c>: it is refused
    /// everywhere and none is minted; the server then refuses to start unless an enabled operator holds the
    /// <c>admin</c> role. Only whoever controls the configuration can turn it back on: no API does.
    /// </summary>
    public BootstrapTokenMode BootstrapToken { get; set; } = BootstrapTokenMode.Enabled;
}

/// <summary>Whether the bootstrap admin token is accepted.</summary>
internal enum BootstrapTokenMode
{
    Enabled,
    Disabled,
}
