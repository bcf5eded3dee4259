namespace Mandate.Cedar.Syntax;

/// <summary>A <c>// comment</c> seen by the lexer, kept so the formatter can preserve it.</summary>
internal readonly record struct SourceComment(string Text, int Offset, int Line, bool OwnLine);
