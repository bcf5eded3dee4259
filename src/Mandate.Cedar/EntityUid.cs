using System.Text;

namespace Mandate.Cedar;

/// <summary>A Cedar entity reference: a fully qualified type (<c>NS::Type</c>) and an id.</summary>
public readonly record struct EntityUid(string Type, string Id)
{
    /// <summary>Cedar syntax, for example <c>User::"alice"</c>, with the id escaped as in a Cedar string literal.</summary>
    public override string ToString() => Syntax.StringEscaper.NeedsEscape(Id)
        ? Type + "::" + Syntax.StringEscaper.Quote(Id)
        : string.Concat(Type, "::\"", Id, "\"");

    /// <summary>Appends the Cedar syntax to a builder without an intermediate string.</summary>
    internal void AppendTo(StringBuilder builder)
    {
        builder.Append(Type).Append("::");
        Syntax.StringEscaper.AppendQuoted(builder, Id);
    }
}
