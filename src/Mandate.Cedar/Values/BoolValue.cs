using System.Text;
using System.Text.Json;

namespace Mandate.Cedar.Values;

internal sealed class BoolValue : CedarValue
{
    public static readonly BoolValue True = new(true);
    public static readonly BoolValue False = new(false);

    private BoolValue(bool value) => Value = value;

    public bool Value { get; }

    public override CedarValueKind Kind => CedarValueKind.Bool;

    public static BoolValue Of(bool value) => value ? True : False;

    public override bool Equals(CedarValue? other) => ReferenceEquals(this, other);

    public override int GetHashCode() => Value ? 1 : 2;

    internal override void WriteJson(Utf8JsonWriter writer) => writer.WriteBooleanValue(Value);

    internal override void AppendCedar(StringBuilder builder) => builder.Append(Value ? "true" : "false");
}
