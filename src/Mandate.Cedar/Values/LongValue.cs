using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Mandate.Cedar.Values;

internal sealed class LongValue : CedarValue
{
    // Small integers are common in policies and data; sharing them avoids an allocation per arithmetic result.
    private static readonly LongValue[] Small = CreateSmall();

    private LongValue(long value) => Value = value;

    public long Value { get; }

    public override CedarValueKind Kind => CedarValueKind.Long;

    public static LongValue Of(long value) =>
        value is >= -128 and < 1024 ? Small[value + 128] : new LongValue(value);

    public override bool Equals(CedarValue? other) => other is LongValue l && l.Value == Value;

    public override int GetHashCode() => Value.GetHashCode();

    internal override void WriteJson(Utf8JsonWriter writer) => writer.WriteNumberValue(Value);

    internal override void AppendCedar(StringBuilder builder) => builder.Append(Value.ToString(CultureInfo.InvariantCulture));

    private static LongValue[] CreateSmall()
    {
        var values = new LongValue[1024 + 128];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = new LongValue(i - 128);
        }

        return values;
    }
}
