namespace Mandate.Cedar.Validation;

/// <summary>The signature of an extension function, as the typechecker sees it.</summary>
internal sealed record ExtensionFunction(string Name, IReadOnlyList<ValidatorType> Parameters, ValidatorType Returns, Func<string, string?>? CheckLiteral)
{
    /// <summary>Constructors validate a literal string argument at validation time and, in strict mode, demand one.</summary>
    public bool IsConstructor => CheckLiteral is not null;
}

/// <summary>Cedar's extension functions (ipaddr, decimal, datetime, duration) and which types support <c>&lt;</c>.</summary>
internal static class ExtensionFunctions
{
    private static readonly ExtensionType Ip = new("ipaddr");
    private static readonly ExtensionType Decimal = new("decimal");
    private static readonly ExtensionType Datetime = new("datetime");
    private static readonly ExtensionType Duration = new("duration");

    private static readonly Dictionary<string, ExtensionFunction> Functions = new ExtensionFunction[]
    {
        new("ip", [ValidatorType.String], Ip, text => Values.IpValue.TryParse(text, out _, out var error) ? null : error),
        new("isIpv4", [Ip], ValidatorType.AnyBool, null),
        new("isIpv6", [Ip], ValidatorType.AnyBool, null),
        new("isLoopback", [Ip], ValidatorType.AnyBool, null),
        new("isMulticast", [Ip], ValidatorType.AnyBool, null),
        new("isInRange", [Ip, Ip], ValidatorType.AnyBool, null),
        new("decimal", [ValidatorType.String], Decimal, text => Values.DecimalValue.TryParse(text, out _, out var error) ? null : error),
        new("lessThan", [Decimal, Decimal], ValidatorType.AnyBool, null),
        new("lessThanOrEqual", [Decimal, Decimal], ValidatorType.AnyBool, null),
        new("greaterThan", [Decimal, Decimal], ValidatorType.AnyBool, null),
        new("greaterThanOrEqual", [Decimal, Decimal], ValidatorType.AnyBool, null),
        new("datetime", [ValidatorType.String], Datetime, text => Values.DatetimeValue.TryParse(text, out _, out var error) ? null : error),
        new("duration", [ValidatorType.String], Duration, text => Values.DurationValue.TryParse(text, out _, out var error) ? null : error),
        new("offset", [Datetime, Duration], Datetime, null),
        new("durationSince", [Datetime, Datetime], Duration, null),
        new("toDate", [Datetime], Datetime, null),
        new("toTime", [Datetime], Duration, null),
        new("toMilliseconds", [Duration], ValidatorType.Long, null),
        new("toSeconds", [Duration], ValidatorType.Long, null),
        new("toMinutes", [Duration], ValidatorType.Long, null),
        new("toHours", [Duration], ValidatorType.Long, null),
        new("toDays", [Duration], ValidatorType.Long, null),
    }.ToDictionary(f => f.Name, StringComparer.Ordinal);

    public static ExtensionFunction? Find(string name) => Functions.GetValueOrDefault(name);

    /// <summary>Types that <c>&lt;</c>, <c>&lt;=</c>, <c>&gt;</c>, <c>&gt;=</c> accept: Long, datetime and duration.</summary>
    public static bool IsComparable(ValidatorType type) =>
        ReferenceEquals(type, ValidatorType.Long) || type is ExtensionType { Name: "datetime" or "duration" };

    public static string ComparableTypesText => "Long, datetime or duration";
}
