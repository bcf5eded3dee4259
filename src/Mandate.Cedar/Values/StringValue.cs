using System.Text;
using System.Text.Json;

namespace Mandate.Cedar.Values;

internal sealed class StringValue(string value) : CedarValue
{
    public string Value { get; } = value;

    public override CedarValueKind Kind => CedarValueKind.String;

    public override bool Equals(CedarValue? other) => other is StringValue s && string.Equals(s.Value, Value, StringComparison.Ordinal);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Value);

    internal override void WriteJson(Utf8JsonWriter writer) => writer.WriteStringValue(Value);

    internal override void AppendCedar(StringBuilder builder) => Syntax.StringEscaper.AppendQuoted(builder, Value);
}
