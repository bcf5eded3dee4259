namespace Mandate.Cedar.Syntax;

/// <summary>A lexed token. <see cref="Text"/> is the identifier, the digits, the slot name or the raw (still escaped) string body.</summary>
internal readonly record struct Token(TokenKind Kind, string Text, int Offset, int Line, int Column)
{
    public bool IsIdentifier(string word) => Kind == TokenKind.Identifier && Text == word;
}
