namespace Mandate.Cedar;

/// <summary>The runtime type of a <see cref="CedarValue"/>.</summary>
public enum CedarValueKind
{
    Bool,
    Long,
    String,
    Entity,
    Set,
    Record,
    IpAddr,
    Decimal,
    Datetime,
    Duration,
}
