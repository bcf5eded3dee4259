namespace Mandate.Cedar.Syntax;

/// <summary>Turns Cedar policy text into tokens. Whitespace and <c>//</c> comments separate tokens; comments are collected.</summary>
internal sealed class Lexer
{
    private readonly string text;

    // Identifiers repeat a lot (principal, context, attribute names): share one string per distinct identifier.
    private readonly Dictionary<string, string> identifiers = new(StringComparer.Ordinal);
    private int position;
    private int line = 1;
    private int lineStart;
    private bool tokenSeenOnLine;

    public Lexer(string text) => this.text = text;

    public List<SourceComment> Comments { get; } = [];

    public static List<Token> Tokenize(string text, out List<SourceComment> comments)
    {
        var lexer = new Lexer(text);
        var tokens = new List<Token>();
        while (true)
        {
            var token = lexer.Next();
            tokens.Add(token);
            if (token.Kind == TokenKind.End)
            {
                comments = lexer.Comments;
                return tokens;
            }
        }
    }

    public Token Next()
    {
        SkipTrivia();
        var start = position;
        var column = start - lineStart + 1;
        if (position >= text.Length)
        {
            return new Token(TokenKind.End, "", start, line, column);
        }

        tokenSeenOnLine = true;
        var c = text[position];
        if (IsIdentifierStart(c))
        {
            position++;
            while (position < text.Length && IsIdentifierPart(text[position]))
            {
                position++;
            }

            return new Token(TokenKind.Identifier, Intern(text.AsSpan(start, position - start)), start, line, column);
        }

        if (char.IsAsciiDigit(c))
        {
            while (position < text.Length && char.IsAsciiDigit(text[position]))
            {
                position++;
            }

            return new Token(TokenKind.Number, text[start..position], start, line, column);
        }

        if (c == '"')
        {
            return LexString(start, column);
        }

        if (c == '?' && position + 1 < text.Length && IsIdentifierStart(text[position + 1]))
        {
            position += 2;
            while (position < text.Length && IsIdentifierPart(text[position]))
            {
                position++;
            }

            return new Token(TokenKind.Slot, text[(start + 1)..position], start, line, column);
        }

        var next = position + 1 < text.Length ? text[position + 1] : '\0';
        (TokenKind kind, int length) = c switch
        {
            '@' => (TokenKind.At, 1),
            '.' => (TokenKind.Dot, 1),
            ',' => (TokenKind.Comma, 1),
            ';' => (TokenKind.Semicolon, 1),
            ':' => next == ':' ? (TokenKind.DoubleColon, 2) : (TokenKind.Colon, 1),
            '(' => (TokenKind.LeftParen, 1),
            ')' => (TokenKind.RightParen, 1),
            '{' => (TokenKind.LeftBrace, 1),
            '}' => (TokenKind.RightBrace, 1),
            '[' => (TokenKind.LeftBracket, 1),
            ']' => (TokenKind.RightBracket, 1),
            '=' => next == '=' ? (TokenKind.EqualEqual, 2) : (TokenKind.Equal, 1),
            '!' => next == '=' ? (TokenKind.NotEqual, 2) : (TokenKind.Bang, 1),
            '<' => next == '=' ? (TokenKind.LessEqual, 2) : (TokenKind.Less, 1),
            '>' => next == '=' ? (TokenKind.GreaterEqual, 2) : (TokenKind.Greater, 1),
            '|' when next == '|' => (TokenKind.OrOr, 2),
            '&' when next == '&' => (TokenKind.AndAnd, 2),
            '+' => (TokenKind.Plus, 1),
            '-' => (TokenKind.Minus, 1),
            '*' => (TokenKind.Star, 1),
            '/' => (TokenKind.Slash, 1),
            '%' => (TokenKind.Percent, 1),
            _ => throw new CedarSyntaxException($"unexpected character {Describe(c)}", line, column),
        };
        position += length;
        return new Token(kind, Intern(text.AsSpan(start, length)), start, line, column);
    }

    private Token LexString(int start, int column)
    {
        var startLine = line;
        position++; // opening quote
        while (position < text.Length)
        {
            var c = text[position];
            if (c == '"')
            {
                position++;
                return new Token(TokenKind.String, text[(start + 1)..(position - 1)], start, startLine, column);
            }

            if (c == '\\')
            {
                if (position + 1 >= text.Length || text[position + 1] == '\n')
                {
                    throw new CedarSyntaxException("a backslash in a string must start an escape such as \\n, \\\" or \\u{...}", line, position - lineStart + 1);
                }

                position += 2;
                continue;
            }

            if (c == '\n')
            {
                line++;
                lineStart = position + 1;
            }

            position++;
        }

        throw new CedarSyntaxException("unterminated string literal: add the closing \"", startLine, column);
    }

    private void SkipTrivia()
    {
        while (position < text.Length)
        {
            var c = text[position];
            if (c == '\n')
            {
                position++;
                line++;
                lineStart = position;
                tokenSeenOnLine = false;
            }
            else if (char.IsWhiteSpace(c))
            {
                position++;
            }
            else if (c == '/' && position + 1 < text.Length && text[position + 1] == '/')
            {
                var start = position;
                while (position < text.Length && text[position] != '\n' && text[position] != '\r')
                {
                    position++;
                }

                Comments.Add(new SourceComment(text[start..position].TrimEnd(), start, line, !tokenSeenOnLine));
            }
            else
            {
                return;
            }
        }
    }

    private string Intern(ReadOnlySpan<char> span)
    {
        var lookup = identifiers.GetAlternateLookup<ReadOnlySpan<char>>();
        if (lookup.TryGetValue(span, out var existing))
        {
            return existing;
        }

        var created = span.ToString();
        identifiers[created] = created;
        return created;
    }

    private static bool IsIdentifierStart(char c) => c == '_' || char.IsAsciiLetter(c);

    private static bool IsIdentifierPart(char c) => c == '_' || char.IsAsciiLetterOrDigit(c);

    private static string Describe(char c) =>
        char.IsControl(c) || char.IsWhiteSpace(c) || char.IsSurrogate(c) ? $"U+{(int)c:X4}" : $"'{c}'";
}
