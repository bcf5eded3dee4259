using System.Text;
using System.Text.Json;

namespace Mandate.Cedar.Values;

internal sealed class EntityValue(EntityUid uid) : CedarValue
{
    public EntityUid Uid { get; } = uid;

    public override CedarValueKind Kind => CedarValueKind.Entity;

    public override bool Equals(CedarValue? other) => other is EntityValue e && e.Uid == Uid;

    public override int GetHashCode() => Uid.GetHashCode();

    internal override void WriteJson(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteStartObject("__entity");
        writer.WriteString("type", Uid.Type);
        writer.WriteString("id", Uid.Id);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    internal override void AppendCedar(StringBuilder builder) => Uid.AppendTo(builder);
}
