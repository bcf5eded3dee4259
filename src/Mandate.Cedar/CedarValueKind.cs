namespace Mandate.Cedar;

/// <summary>The runtime type of a <see cref="CedarValue"/>.</summary>
public enum CedarValueKind
{
    /// <summary><c>Bool</c>: true or false.</summary>
    Bool,
    /// <summary><c>Long</c>: a 64-bit signed integer.</summary>
    Long,
    /// <summary><c>String</c>.</summary>
    String,
    /// <summary>A reference to an entity.</summary>
    Entity,
    /// <summary><c>Set</c>: an unordered collection of values.</summary>
    Set,
    /// <summary><c>Record</c>: named attributes.</summary>
    Record,
    /// <summary>The <c>ipaddr</c> extension: an IPv4 or IPv6 address or range.</summary>
    IpAddr,
    /// <summary>The <c>decimal</c> extension: a fixed-point number with four decimal places.</summary>
    Decimal,
    /// <summary>The <c>datetime</c> extension: an instant in time.</summary>
    Datetime,
    /// <summary>The <c>duration</c> extension: a span of time.</summary>
    Duration,
}
