using Mandate.Cedar.Values;

namespace Mandate.Cedar.Evaluation;

internal static class TypeNames
{
    public static string Of(CedarValue value) => value switch
    {
        BoolValue => "bool",
        LongValue => "long",
        StringValue => "string",
        EntityValue e => $"(entity of type `{e.Uid.Type}`)",
        SetValue => "set",
        RecordValue => "record",
        IpValue => "ipaddr",
        DecimalValue => "decimal",
        DatetimeValue => "datetime",
        DurationValue => "duration",
        _ => "value",
    };

    public static string Describe(CedarValue value)
    {
        var text = value.ToString();
        if (text.Length > 60)
        {
            text = text[..57] + "...";
        }

        return $"{Of(value)} `{text}`";
    }
}
