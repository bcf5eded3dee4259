namespace Mandate.Benchmarks.Cedar.Model;

/// <summary>The attribute and context values the generators produce: the subset of Cedar values the apps need.</summary>
public abstract record AttributeValue
{
    public static AttributeValue Of(string value) => new StringValue(value);

    public static AttributeValue Of(long value) => new LongValue(value);

    public static AttributeValue Of(bool value) => new BoolValue(value);

    public static AttributeValue Of(Uid value) => new EntityValue(value);

    public static AttributeValue SetOf(IEnumerable<AttributeValue> values) => new SetValue([.. values]);

    public static AttributeValue SetOf(IEnumerable<Uid> values) => new SetValue([.. values.Select(Of)]);

    public static AttributeValue RecordOf(params (string Name, AttributeValue Value)[] fields) => new RecordValue(fields);
}

public sealed record StringValue(string Value) : AttributeValue;

public sealed record LongValue(long Value) : AttributeValue;

public sealed record BoolValue(bool Value) : AttributeValue;

public sealed record EntityValue(Uid Value) : AttributeValue;

public sealed record SetValue(IReadOnlyList<AttributeValue> Elements) : AttributeValue;

public sealed record RecordValue(IReadOnlyList<(string Name, AttributeValue Value)> Fields) : AttributeValue;
