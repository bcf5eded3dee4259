using System.Globalization;
using System.Runtime.CompilerServices;
using Mandate.Cedar.Evaluation;
using Mandate.Cedar.Syntax.Expressions;
using Mandate.Cedar.Values;

namespace Mandate.Cedar.Syntax;

/// <summary>
/// Recursive-descent parser for the Cedar 4.x policy grammar. Precedence, loosest first: <c>if</c>, <c>||</c>,
/// <c>&amp;&amp;</c>, relations (<c>== != &lt; &lt;= &gt; &gt;= in has like is</c>, non-associative), <c>+ -</c>, <c>*</c>,
/// unary <c>! -</c> (at most four), member access. Nesting is bounded so hostile input gives an error, not a stack overflow.
/// </summary>
internal sealed class Parser
{
    public const int MaxNesting = 200;
    public const int MaxTreeDepth = 1000;
    private const int MaxDiagnostics = 20;

    private static readonly HashSet<string> BuiltinMethods = new(StringComparer.Ordinal)
    {
        "contains", "containsAll", "containsAny", "isEmpty", "getTag", "hasTag",
    };

    // Tokens are pulled from the lexer as the parser goes, one of lookahead and one behind: a large file is never held
    // as a token list (a 10,000-policy bundle lexes to millions of tokens, which cost more heap than its policies).
    private readonly Lexer lexer;
    private Token previous;
    private Token current;
    private Token next;
    private bool hasNext;
    private int nesting;

    private Parser(Lexer lexer)
    {
        this.lexer = lexer;
        current = Lex();
    }

    /// <summary>Parses a whole policy file. Errors are collected (one per bad policy, up to a limit), never thrown.</summary>
    public static List<PolicyAst> ParsePolicies(string text, List<SyntaxError> errors, out List<SourceComment> comments)
    {
        var policies = new List<PolicyAst>();
        var errorsBefore = errors.Count;
        var lexer = new Lexer(text);
        try
        {
            var parser = new Parser(lexer);
            while (parser.Current.Kind != TokenKind.End && errors.Count < MaxDiagnostics)
            {
                try
                {
                    policies.Add(parser.ParsePolicy());
                }
                catch (CedarSyntaxException ex)
                {
                    errors.Add(new SyntaxError(ex.Message, ex.Line, ex.Column));
                    parser.RecoverAfterError();
                }
                catch (InsufficientExecutionStackException)
                {
                    var token = parser.Current;
                    errors.Add(new SyntaxError("the policy is nested too deeply to parse", token.Line, token.Column));
                    parser.RecoverAfterError();
                }
            }

            // Stopped at the error limit: the rest is still lexed, so a lexical error there is reported as before and
            // every comment is collected.
            while (parser.Current.Kind != TokenKind.End)
            {
                parser.Step();
            }
        }
        catch (LexicalError lexical)
        {
            // A lexical error anywhere rejects the whole text with that one error, as when the text was lexed up front.
            errors.RemoveRange(errorsBefore, errors.Count - errorsBefore);
            errors.Add(new SyntaxError(lexical.Cause.Message, lexical.Cause.Line, lexical.Cause.Column));
            policies.Clear();
            comments = [];
            return policies;
        }

        comments = lexer.Comments;
        return policies;
    }

    /// <summary>Parses a single expression (used by tests and tools).</summary>
    public static Expr ParseExpression(string text)
    {
        // Lexed up front first so a lexical error anywhere wins over a syntax error before it, as it always has.
        _ = Lexer.Tokenize(text, out _);
        try
        {
            var parser = new Parser(new Lexer(text));
            var expr = parser.ParseExpr();
            parser.Expect(TokenKind.End, "the end of the expression");
            return expr;
        }
        catch (LexicalError lexical)
        {
            throw lexical.Cause;
        }
    }

    private Token Current => current;

    private Token Peek()
    {
        if (current.Kind == TokenKind.End)
        {
            return current;
        }

        if (!hasNext)
        {
            next = Lex();
            hasNext = true;
        }

        return next;
    }

    private Token Lex()
    {
        try
        {
            return lexer.Next();
        }
        catch (CedarSyntaxException ex)
        {
            throw new LexicalError(ex);
        }
    }

    /// <summary>Moves to the next token; only called when the current one is not the end.</summary>
    private void Step()
    {
        previous = current;
        if (hasNext)
        {
            current = next;
            hasNext = false;
        }
        else
        {
            current = Lex();
        }
    }

    private void RecoverAfterError()
    {
        // Skip to just after the next ';' so the following policies still get checked.
        while (Current.Kind is not (TokenKind.End or TokenKind.Semicolon))
        {
            Step();
        }

        if (Current.Kind == TokenKind.Semicolon)
        {
            Step();
        }
    }

    private Token Advance()
    {
        var token = current;
        if (token.Kind != TokenKind.End)
        {
            Step();
        }

        return token;
    }

    private bool Accept(TokenKind kind)
    {
        if (Current.Kind != kind)
        {
            return false;
        }

        Step();
        return true;
    }

    private Token Expect(TokenKind kind, string what)
    {
        if (Current.Kind != kind)
        {
            throw Error($"expected {what}, found {Describe(Current)}");
        }

        return Advance();
    }

    private CedarSyntaxException Error(string message) => Error(message, Current);

    private static CedarSyntaxException Error(string message, Token at) => new(message, at.Line, at.Column);

    private static string Describe(Token token) => token.Kind switch
    {
        TokenKind.End => "the end of the input",
        TokenKind.Identifier => $"`{token.Text}`",
        TokenKind.Number => $"the number {token.Text}",
        TokenKind.String => "a string literal",
        TokenKind.Slot => $"`?{token.Text}`",
        _ => $"`{token.Text}`",
    };

    // ---------------------------------------------------------------- policies

    private PolicyAst ParsePolicy()
    {
        var first = Current;
        var annotations = new List<KeyValuePair<string, string?>>();
        while (Current.Kind == TokenKind.At)
        {
            var at = Advance();
            var key = Expect(TokenKind.Identifier, "an annotation name after `@`");
            string? value = null;
            if (Accept(TokenKind.LeftParen))
            {
                var literal = Expect(TokenKind.String, "a string literal as the annotation value");
                value = Unescape(literal);
                Expect(TokenKind.RightParen, "`)` after the annotation value");
            }

            if (annotations.Any(a => a.Key == key.Text))
            {
                throw Error($"duplicate annotation `@{key.Text}`: each annotation may appear once per policy", at);
            }

            annotations.Add(new(key.Text, value));
        }

        var effectToken = Current;
        Effect effect;
        if (effectToken.IsIdentifier("permit"))
        {
            effect = Effect.Permit;
        }
        else if (effectToken.IsIdentifier("forbid"))
        {
            effect = Effect.Forbid;
        }
        else
        {
            throw Error($"expected `permit` or `forbid`, found {Describe(effectToken)}");
        }

        Advance();
        Expect(TokenKind.LeftParen, "`(` to open the policy scope");
        var (principal, action, resource) = ParseScope();
        var conditions = new List<Condition>();
        while (Current.Kind == TokenKind.Identifier)
        {
            var keyword = Advance();
            bool isWhen;
            if (keyword.Text == "when")
            {
                isWhen = true;
            }
            else if (keyword.Text == "unless")
            {
                isWhen = false;
            }
            else
            {
                throw Error($"expected `when`, `unless` or `;`, found {Describe(keyword)}", keyword);
            }

            Expect(TokenKind.LeftBrace, $"`{{` after `{keyword.Text}`");
            if (Current.Kind == TokenKind.RightBrace)
            {
                throw Error($"the `{keyword.Text}` clause is empty: write a condition between the braces or remove the clause");
            }

            var body = ParseExpr();
            Expect(TokenKind.RightBrace, $"`}}` to close the `{keyword.Text}` clause");
            conditions.Add(new Condition(isWhen, body));
        }

        var end = Expect(TokenKind.Semicolon, "`;` at the end of the policy");
        return new PolicyAst(annotations, effect, principal, action, resource, conditions, first.Line, first.Column, first.Offset, end.Offset + 1);
    }

    private (ScopeConstraint Principal, ActionConstraint Action, ScopeConstraint Resource) ParseScope()
    {
        var open = previous;
        if (Current.Kind == TokenKind.RightParen)
        {
            throw Error("the policy scope is missing `principal`: write `(principal, action, resource)`");
        }

        var principal = ParsePrincipalOrResource("principal");
        if (!Accept(TokenKind.Comma) || Current.Kind == TokenKind.RightParen)
        {
            throw Error("the policy scope is missing `action`: write `(principal, action, resource)`");
        }

        var action = ParseActionScope();
        if (!Accept(TokenKind.Comma) || Current.Kind == TokenKind.RightParen)
        {
            throw Error("the policy scope is missing `resource`: write `(principal, action, resource)`");
        }

        var resource = ParsePrincipalOrResource("resource");
        Accept(TokenKind.Comma);
        if (Current.Kind != TokenKind.RightParen)
        {
            throw Error(Current.Kind == TokenKind.End
                ? $"the policy scope opened at {open.Line}:{open.Column} is not closed with `)`"
                : $"unexpected {Describe(Current)} in the policy scope: it has exactly principal, action and resource");
        }

        Advance();
        return (principal, action, resource);
    }

    private ScopeConstraint ParsePrincipalOrResource(string variable)
    {
        var name = Current;
        if (!name.IsIdentifier(variable))
        {
            throw Error($"expected `{variable}` in the policy scope, found {Describe(name)}");
        }

        Advance();
        if (Current.Kind == TokenKind.Colon)
        {
            throw Error($"type constraints like `{variable}: Type` are not supported; write `{variable} is Type`");
        }

        string? type = null;
        if (Current.IsIdentifier("is"))
        {
            Advance();
            type = ParseTypeName($"an entity type after `{variable} is`");
        }

        var op = Current;
        switch (op.Kind)
        {
            case TokenKind.Comma or TokenKind.RightParen:
                return type is null ? ScopeConstraint.Any : new ScopeConstraint(ScopeKind.Is, null, type, false);
            case TokenKind.EqualEqual when type is not null:
                throw Error($"`{variable} is {type} == ...` is not allowed: use `{variable} is {type} in ...` or `{variable} == ...`");
            case TokenKind.Equal:
                throw Error("`=` is not an operator: use `==`");
            case TokenKind.EqualEqual:
            case TokenKind.Identifier when op.Text == "in":
                Advance();
                var (entity, isSlot) = ParseScopeTarget(variable);
                if (Current.IsIdentifier("is"))
                {
                    throw Error($"write `{variable} is Type in ...`, not `{variable} in ... is Type`");
                }

                var kind = op.Kind == TokenKind.EqualEqual ? ScopeKind.Equal : type is null ? ScopeKind.In : ScopeKind.IsIn;
                return new ScopeConstraint(kind, entity, type, isSlot);
            default:
                throw Error($"expected `==`, `in`, `is`, `,` or `)` after `{variable}`, found {Describe(op)}");
        }
    }

    /// <summary>Scope targets may be wrapped in any number of parentheses, as in the reference grammar.</summary>
    private T Parenthesized<T>(Func<T> parse)
    {
        var depth = 0;
        while (Current.Kind == TokenKind.LeftParen && depth < MaxNesting)
        {
            Advance();
            depth++;
        }

        var result = parse();
        for (var i = 0; i < depth; i++)
        {
            Expect(TokenKind.RightParen, "`)` to close the parenthesis");
        }

        return result;
    }

    private (EntityUid? Entity, bool IsSlot) ParseScopeTarget(string variable) => Parenthesized(() => ParseScopeTargetBare(variable));

    private (EntityUid? Entity, bool IsSlot) ParseScopeTargetBare(string variable)
    {
        if (Current.Kind == TokenKind.Slot)
        {
            var slot = Advance();
            if (slot.Text != variable)
            {
                throw Error(slot.Text is "principal" or "resource"
                    ? $"the slot `?{slot.Text}` cannot be used for `{variable}`; use `?{variable}`"
                    : $"`?{slot.Text}` is not a valid slot: only `?principal` and `?resource` exist", slot);
            }

            return (null, true);
        }

        return (ParseEntityLiteral($"an entity like `User::\"alice\"` or the slot `?{variable}`"), false);
    }

    private ActionConstraint ParseActionScope()
    {
        if (!Current.IsIdentifier("action"))
        {
            throw Error($"expected `action` in the policy scope, found {Describe(Current)}");
        }

        Advance();
        var op = Current;
        if (op.IsIdentifier("is"))
        {
            throw Error("`is` cannot be used in the action scope");
        }

        if (op.Kind is TokenKind.Comma or TokenKind.RightParen)
        {
            return ActionConstraint.Any;
        }

        if (op.Kind == TokenKind.Equal)
        {
            throw Error("`=` is not an operator: use `==`");
        }

        if (op.Kind == TokenKind.EqualEqual)
        {
            Advance();
            var entity = ParseActionEntity();
            return new ActionConstraint(ScopeKind.Equal, [entity], false);
        }

        if (!op.IsIdentifier("in"))
        {
            throw Error($"expected `==`, `in`, `,` or `)` after `action`, found {Describe(op)}");
        }

        Advance();
        var constraint = Parenthesized(ParseActionInTarget);
        if (Current.IsIdentifier("is"))
        {
            throw Error("`is` cannot be used in the action scope");
        }

        return constraint;
    }

    private ActionConstraint ParseActionInTarget()
    {
        if (Accept(TokenKind.LeftBracket))
        {
            var list = new List<EntityUid>();
            while (Current.Kind != TokenKind.RightBracket)
            {
                list.Add(ParseActionEntity());
                if (!Accept(TokenKind.Comma))
                {
                    break;
                }
            }

            Expect(TokenKind.RightBracket, "`]` to close the action list");
            return new ActionConstraint(ScopeKind.In, list, true);
        }

        var single = ParseActionEntity();
        return new ActionConstraint(ScopeKind.In, [single], false);
    }

    private EntityUid ParseActionEntity() => Parenthesized(ParseActionEntityBare);

    private EntityUid ParseActionEntityBare()
    {
        var start = Current;
        if (start.Kind == TokenKind.Slot)
        {
            throw Error("slots cannot be used in the action scope");
        }

        var entity = ParseEntityLiteral("an action entity like `Action::\"view\"`");
        if (!Names.IsActionType(entity.Type))
        {
            throw Error($"expected an action entity (type `Action` or `Namespace::Action`), found `{entity}`", start);
        }

        return entity;
    }

    private EntityUid ParseEntityLiteral(string what)
    {
        var start = Current;
        if (start.Kind != TokenKind.Identifier)
        {
            throw Error($"expected {what}, found {Describe(start)}");
        }

        var parts = new List<string>();
        while (true)
        {
            var part = Expect(TokenKind.Identifier, what);
            parts.Add(part.Text);
            Expect(TokenKind.DoubleColon, what);
            if (Current.Kind == TokenKind.String)
            {
                var id = Unescape(Advance());
                return new EntityUid(ValidateTypeName(parts, start), id);
            }

            if (Current.Kind != TokenKind.Identifier)
            {
                throw Error($"expected {what}, found {Describe(Current)}");
            }
        }
    }

    private string ParseTypeName(string what)
    {
        var start = Current;
        var parts = new List<string> { Expect(TokenKind.Identifier, what).Text };
        while (Current.Kind == TokenKind.DoubleColon && Peek().Kind == TokenKind.Identifier)
        {
            Advance();
            parts.Add(Advance().Text);
        }

        return ValidateTypeName(parts, start);
    }

    private static string ValidateTypeName(List<string> parts, Token at)
    {
        foreach (var part in parts)
        {
            if (Names.IsReserved(part))
            {
                throw Error($"`{part}` is a reserved word and cannot be part of a name", at);
            }

            if (part == "__cedar")
            {
                throw Error("`__cedar` is reserved and cannot be part of a name", at);
            }
        }

        return string.Join("::", parts);
    }

    // ---------------------------------------------------------------- expressions

    private Expr ParseExpr()
    {
        if (++nesting > MaxNesting)
        {
            throw Error($"the expression is nested more than {MaxNesting} levels deep");
        }

        RuntimeHelpers.EnsureSufficientExecutionStack();
        try
        {
            if (Current.IsIdentifier("if"))
            {
                var start = Advance();
                var condition = ParseExpr();
                ExpectKeyword("then", "`then` after the `if` condition");
                var then = ParseExpr();
                ExpectKeyword("else", "`else` (every `if` needs both `then` and `else`)");
                var otherwise = ParseExpr();
                return Node(new IfExpr(condition, then, otherwise) { Line = start.Line, Column = start.Column }, condition, then, otherwise);
            }

            return ParseOr();
        }
        finally
        {
            nesting--;
        }
    }

    private void ExpectKeyword(string keyword, string what)
    {
        if (!Current.IsIdentifier(keyword))
        {
            throw Error($"expected {what}, found {Describe(Current)}");
        }

        Advance();
    }

    private Expr ParseOr()
    {
        var left = ParseAnd();
        while (Current.Kind == TokenKind.OrOr)
        {
            var op = Advance();
            var right = ParseAnd();
            left = Node(new LogicalExpr(false, left, right) { Line = op.Line, Column = op.Column }, left, right);
        }

        return left;
    }

    private Expr ParseAnd()
    {
        var left = ParseRelation();
        while (Current.Kind == TokenKind.AndAnd)
        {
            var op = Advance();
            var right = ParseRelation();
            left = Node(new LogicalExpr(true, left, right) { Line = op.Line, Column = op.Column }, left, right);
        }

        return left;
    }

    private static BinaryOperator? RelationalOperator(Token token) => token.Kind switch
    {
        TokenKind.EqualEqual => BinaryOperator.Equal,
        TokenKind.NotEqual => BinaryOperator.NotEqual,
        TokenKind.Less => BinaryOperator.Less,
        TokenKind.LessEqual => BinaryOperator.LessEqual,
        TokenKind.Greater => BinaryOperator.Greater,
        TokenKind.GreaterEqual => BinaryOperator.GreaterEqual,
        TokenKind.Identifier when token.Text == "in" => BinaryOperator.In,
        _ => null,
    };

    private Expr ParseRelation()
    {
        var left = ParseAdd();
        var token = Current;
        if (token.Kind == TokenKind.Equal)
        {
            throw Error("`=` is not an operator: use `==` to compare");
        }

        if (RelationalOperator(token) is { } op)
        {
            Advance();
            var right = ParseAdd();
            if (RelationalOperator(Current) is not null || Current.IsIdentifier("has") || Current.IsIdentifier("like") || Current.IsIdentifier("is"))
            {
                throw Error("comparison operators cannot be chained (`a < b < c`): add parentheses");
            }

            return Node(new BinaryExpr(op, left, right) { Line = token.Line, Column = token.Column }, left, right);
        }

        if (token.IsIdentifier("has"))
        {
            Advance();
            return ParseHas(left, token);
        }

        if (token.IsIdentifier("like"))
        {
            Advance();
            var patternToken = Current;
            if (patternToken.Kind != TokenKind.String)
            {
                throw Error($"`like` needs a string literal pattern such as \"*.example.com\", found {Describe(patternToken)}");
            }

            Advance();
            if (!Unescaper.TryUnescape(patternToken.Text, true, out var text, out var wildcards, out var error))
            {
                throw Error(error, patternToken);
            }

            return Node(new LikeExpr(left, new Pattern(text, wildcards!)) { Line = token.Line, Column = token.Column }, left);
        }

        if (token.IsIdentifier("is"))
        {
            Advance();
            var type = ParseTypeName("an entity type after `is`");
            Expr? container = null;
            if (Current.IsIdentifier("in"))
            {
                Advance();
                container = ParseAdd();
            }

            return container is null
                ? Node(new IsExpr(left, type, null) { Line = token.Line, Column = token.Column }, left)
                : Node(new IsExpr(left, type, container) { Line = token.Line, Column = token.Column }, left, container);
        }

        return left;
    }

    private Expr ParseHas(Expr target, Token hasToken)
    {
        var first = Current;
        if (first.Kind == TokenKind.String)
        {
            Advance();
            return Node(new AttributeExpr(true, target, Unescape(first)) { Line = hasToken.Line, Column = hasToken.Column }, target);
        }

        if (first.Kind != TokenKind.Identifier)
        {
            throw Error($"expected an attribute name or string after `has`, found {Describe(first)}");
        }

        var path = new List<string>();
        path.Add(AttributeName(Advance()));
        while (Current.Kind == TokenKind.Dot && Peek().Kind == TokenKind.Identifier)
        {
            Advance();
            path.Add(AttributeName(Advance()));
        }

        if (Current.Kind is TokenKind.Dot or TokenKind.LeftBracket or TokenKind.LeftParen or TokenKind.DoubleColon)
        {
            throw Error("the right side of `has` must be an attribute name, a dotted path of names, or a string literal");
        }

        // `e has a.b.c` means `e has a && e.a has b && e.a.b has c`.
        Expr? result = null;
        var access = target;
        for (var i = 0; i < path.Count; i++)
        {
            var test = Node(new AttributeExpr(true, access, path[i]) { Line = hasToken.Line, Column = hasToken.Column }, access);
            result = result is null ? test : Node(new LogicalExpr(true, result, test) { Line = hasToken.Line, Column = hasToken.Column }, result, test);
            if (i + 1 < path.Count)
            {
                access = Node(new AttributeExpr(false, access, path[i]) { Line = hasToken.Line, Column = hasToken.Column }, access);
            }
        }

        return result!;
    }

    private static string AttributeName(Token token)
    {
        if (Names.IsReserved(token.Text))
        {
            throw Error($"`{token.Text}` is a reserved word and cannot be used as an attribute name here; write [\"{token.Text}\"] or has \"{token.Text}\"", token);
        }

        if (token.Text == "__cedar")
        {
            throw Error("`__cedar` is reserved and cannot be used as an attribute name", token);
        }

        return token.Text;
    }

    private Expr ParseAdd()
    {
        var left = ParseMult();
        while (Current.Kind is TokenKind.Plus or TokenKind.Minus)
        {
            var op = Advance();
            var right = ParseMult();
            left = Node(new BinaryExpr(op.Kind == TokenKind.Plus ? BinaryOperator.Add : BinaryOperator.Subtract, left, right) { Line = op.Line, Column = op.Column }, left, right);
        }

        return left;
    }

    private Expr ParseMult()
    {
        var left = ParseUnary();
        while (Current.Kind is TokenKind.Star or TokenKind.Slash or TokenKind.Percent)
        {
            var op = Advance();
            if (op.Kind != TokenKind.Star)
            {
                throw Error(op.Kind == TokenKind.Slash ? "division is not supported in Cedar" : "remainder (`%`) is not supported in Cedar", op);
            }

            var right = ParseUnary();
            left = Node(new BinaryExpr(BinaryOperator.Multiply, left, right) { Line = op.Line, Column = op.Column }, left, right);
        }

        return left;
    }

    private Expr ParseUnary()
    {
        var start = Current;
        if (start.Kind is not (TokenKind.Bang or TokenKind.Minus))
        {
            return ParseMember();
        }

        var kind = start.Kind;
        var count = 0;
        while (Current.Kind == kind)
        {
            Advance();
            count++;
        }

        if (count > 4)
        {
            throw Error($"too many `{start.Text}` in a row: at most four unary operators may be applied", start);
        }

        if (Current.Kind is TokenKind.Bang or TokenKind.Minus)
        {
            throw Error($"unexpected {Describe(Current)} after `{start.Text}`: add parentheses to mix `!` and `-`");
        }

        Expr operand;
        if (kind == TokenKind.Minus && Current.Kind == TokenKind.Number
            && Peek().Kind is not (TokenKind.Dot or TokenKind.LeftBracket or TokenKind.LeftParen))
        {
            // A negative integer literal: `-9223372036854775808` is representable even though its magnitude is not.
            var number = Advance();
            if (!ulong.TryParse(number.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var magnitude))
            {
                throw Error($"integer parse error: the literal {number.Text} does not fit in 64 bits", number);
            }

            if (magnitude > (ulong)long.MaxValue + 1)
            {
                throw Error($"the integer literal -{number.Text} is out of range: integers are 64-bit signed", number);
            }

            var value = magnitude == (ulong)long.MaxValue + 1 ? long.MinValue : -(long)magnitude;
            operand = Leaf(new LiteralExpr(LongValue.Of(value)) { Line = start.Line, Column = start.Column });
            count--;
        }
        else
        {
            operand = ParseMember();
        }

        for (var i = 0; i < count; i++)
        {
            operand = Node(new UnaryExpr(kind == TokenKind.Bang ? UnaryOperator.Not : UnaryOperator.Negate, operand) { Line = start.Line, Column = start.Column }, operand);
        }

        return operand;
    }

    private Expr ParseMember()
    {
        var expr = ParsePrimary(out var isVariable);
        while (true)
        {
            var token = Current;
            if (token.Kind == TokenKind.Dot)
            {
                Advance();
                var name = Expect(TokenKind.Identifier, "an attribute or method name after `.`");
                if (Current.Kind == TokenKind.LeftParen)
                {
                    Advance();
                    var arguments = ParseArguments();
                    expr = MethodCall(expr, name, arguments);
                }
                else
                {
                    expr = Node(new AttributeExpr(false, expr, AttributeName(name)) { Line = name.Line, Column = name.Column }, expr);
                }
            }
            else if (token.Kind == TokenKind.LeftBracket)
            {
                Advance();
                var key = Current;
                if (key.Kind != TokenKind.String || Peek().Kind != TokenKind.RightBracket)
                {
                    throw Error("only a string literal can index a record or entity, like `context[\"key\"]`");
                }

                Advance();
                Advance();
                expr = Node(new AttributeExpr(false, expr, Unescape(key)) { Line = token.Line, Column = token.Column }, expr);
            }
            else if (token.Kind == TokenKind.LeftParen)
            {
                throw Error(isVariable ? "variables cannot be called like functions" : "this expression cannot be called like a function");
            }
            else
            {
                return expr;
            }

            isVariable = false;
        }
    }

    private List<Expr> ParseArguments()
    {
        var arguments = new List<Expr>();
        while (Current.Kind != TokenKind.RightParen)
        {
            arguments.Add(ParseExpr());
            if (!Accept(TokenKind.Comma))
            {
                break;
            }
        }

        Expect(TokenKind.RightParen, "`)` to close the argument list");
        return arguments;
    }

    private Expr MethodCall(Expr receiver, Token name, List<Expr> arguments)
    {
        var method = name.Text;
        if (BuiltinMethods.Contains(method))
        {
            var expected = method == "isEmpty" ? 0 : 1;
            if (arguments.Count != expected)
            {
                throw Error($"`{method}` takes {expected} argument{(expected == 1 ? "" : "s")}, but {arguments.Count} were given", name);
            }

            if (method == "isEmpty")
            {
                return Node(new UnaryExpr(UnaryOperator.IsEmpty, receiver) { Line = name.Line, Column = name.Column }, receiver);
            }

            var op = method switch
            {
                "contains" => BinaryOperator.Contains,
                "containsAll" => BinaryOperator.ContainsAll,
                "containsAny" => BinaryOperator.ContainsAny,
                "getTag" => BinaryOperator.GetTag,
                _ => BinaryOperator.HasTag,
            };
            return Node(new BinaryExpr(op, receiver, arguments[0]) { Line = name.Line, Column = name.Column }, receiver, arguments[0]);
        }

        if (ExtensionFunctions.TryGet(method, out var function))
        {
            if (!function.IsMethod)
            {
                throw Error($"`{method}` is a function, not a method: call it as `{method}(...)`", name);
            }

            var all = new List<Expr>(arguments.Count + 1) { receiver };
            all.AddRange(arguments);
            return Node(new ExtensionCallExpr(function, all) { Line = name.Line, Column = name.Column }, [.. all]);
        }

        throw Error($"`{method}` is not a known method (known: contains, containsAll, containsAny, isEmpty, getTag, hasTag, {string.Join(", ", ExtensionFunctions.MethodNames)})", name);
    }

    private Expr ParsePrimary(out bool isVariable)
    {
        isVariable = false;
        var token = Current;
        switch (token.Kind)
        {
            case TokenKind.Number:
                Advance();
                if (!ulong.TryParse(token.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var magnitude))
                {
                    throw Error($"integer parse error: the literal {token.Text} does not fit in 64 bits", token);
                }

                if (magnitude > long.MaxValue)
                {
                    throw Error($"the integer literal {token.Text} is out of range: integers are 64-bit signed", token);
                }

                return Leaf(new LiteralExpr(LongValue.Of((long)magnitude)) { Line = token.Line, Column = token.Column });
            case TokenKind.String:
                Advance();
                return Leaf(new LiteralExpr(new StringValue(Unescape(token))) { Line = token.Line, Column = token.Column });
            case TokenKind.Slot:
                throw Error(token.Text is "principal" or "resource"
                    ? $"the slot `?{token.Text}` can only be used in the policy scope"
                    : $"`?{token.Text}` is not a valid slot: only `?principal` and `?resource` exist");
            case TokenKind.LeftParen:
            {
                Advance();
                var inner = ParseExpr();
                Expect(TokenKind.RightParen, "`)` to close the parenthesis");
                return inner;
            }

            case TokenKind.LeftBracket:
            {
                Advance();
                var items = new List<Expr>();
                while (Current.Kind != TokenKind.RightBracket)
                {
                    items.Add(ParseExpr());
                    if (!Accept(TokenKind.Comma))
                    {
                        break;
                    }
                }

                Expect(TokenKind.RightBracket, "`]` or `,` in the set literal");
                return Node(new SetExpr(items) { Line = token.Line, Column = token.Column }, [.. items]);
            }

            case TokenKind.LeftBrace:
                return ParseRecord();
            case TokenKind.Identifier:
                return ParseName(out isVariable);
            default:
                throw Error($"expected an expression, found {Describe(token)}");
        }
    }

    private Expr ParseRecord()
    {
        var open = Advance();
        var attributes = new List<KeyValuePair<string, Expr>>();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        while (Current.Kind != TokenKind.RightBrace)
        {
            var keyToken = Current;
            string key;
            if (keyToken.Kind == TokenKind.String)
            {
                key = Unescape(keyToken);
            }
            else if (keyToken.Kind == TokenKind.Identifier)
            {
                if (Names.IsReserved(keyToken.Text))
                {
                    throw Error($"`{keyToken.Text}` is a reserved word: quote it to use it as a record key (\"{keyToken.Text}\")");
                }

                key = keyToken.Text;
            }
            else
            {
                throw Error($"expected a record key (an identifier or a string), found {Describe(keyToken)}");
            }

            Advance();
            Expect(TokenKind.Colon, "`:` after the record key");
            var value = ParseExpr();
            if (!keys.Add(key))
            {
                throw Error($"duplicate key `{key}` in the record literal", keyToken);
            }

            attributes.Add(new(key, value));
            if (!Accept(TokenKind.Comma))
            {
                break;
            }
        }

        Expect(TokenKind.RightBrace, "`}` or `,` in the record literal");
        return Node(new RecordExpr(attributes) { Line = open.Line, Column = open.Column }, [.. attributes.Select(a => a.Value)]);
    }

    private Expr ParseName(out bool isVariable)
    {
        isVariable = false;
        var start = Current;
        var parts = new List<string> { Advance().Text };
        while (Current.Kind == TokenKind.DoubleColon)
        {
            Advance();
            if (Current.Kind == TokenKind.String)
            {
                if (parts.Count == 1 && parts[0] is "if" or "true" or "false")
                {
                    throw Error($"`{parts[0]}` is a reserved word and cannot be an entity type", start);
                }

                var id = Unescape(Advance());
                var uid = new EntityUid(ValidateTypeName(parts, start), id);
                return Leaf(new LiteralExpr(new EntityValue(uid)) { Line = start.Line, Column = start.Column });
            }

            if (Current.Kind == TokenKind.LeftBrace)
            {
                throw Error("entity literals of the form `Type::{...}` are not supported: write `Type::\"id\"`");
            }

            parts.Add(Expect(TokenKind.Identifier, "an identifier or a quoted id after `::`").Text);
        }

        if (parts.Count == 1)
        {
            switch (parts[0])
            {
                case "true":
                    return Leaf(new LiteralExpr(BoolValue.True) { Line = start.Line, Column = start.Column });
                case "false":
                    return Leaf(new LiteralExpr(BoolValue.False) { Line = start.Line, Column = start.Column });
                case "principal":
                case "action":
                case "resource":
                case "context":
                    isVariable = true;
                    var variable = parts[0] switch
                    {
                        "principal" => Variable.Principal,
                        "action" => Variable.Action,
                        "resource" => Variable.Resource,
                        _ => Variable.Context,
                    };
                    if (Current.Kind == TokenKind.LeftParen)
                    {
                        throw Error($"the variable `{parts[0]}` cannot be called like a function");
                    }

                    return Leaf(new VariableExpr(variable) { Line = start.Line, Column = start.Column });
            }
        }

        var name = string.Join("::", parts);
        if (Current.Kind == TokenKind.LeftParen)
        {
            Advance();
            var arguments = ParseArguments();
            if (parts.Count == 1 && ExtensionFunctions.TryGet(name, out var function))
            {
                if (function.IsMethod)
                {
                    throw Error($"`{name}` is a method, not a function: call it as `value.{name}(...)`", start);
                }

                return Node(new ExtensionCallExpr(function, arguments) { Line = start.Line, Column = start.Column }, [.. arguments]);
            }

            if (parts.Count == 1 && BuiltinMethods.Contains(name))
            {
                throw Error($"`{name}` is a method, not a function: call it as `value.{name}(...)`", start);
            }

            throw Error($"`{name}` is not a known function (known: {string.Join(", ", ExtensionFunctions.FunctionNames)})", start);
        }

        if (Names.IsReserved(name))
        {
            throw Error($"`{name}` is a reserved word and cannot be used here", start);
        }

        throw Error(Current.Kind == TokenKind.Dot
            ? $"`{name}` is not a variable, so it has no attributes; variables are principal, action, resource and context"
            : $"unknown name `{name}`: variables are principal, action, resource and context; entity references look like `{name}::\"id\"`", start);
    }

    private static string Unescape(Token token)
    {
        if (!Unescaper.TryUnescape(token.Text, false, out var value, out _, out var error))
        {
            throw Error(error, token);
        }

        return value;
    }

    private static Expr Leaf(Expr expr) => expr;

    // One and two children without a params array: a large file makes hundreds of thousands of nodes.
    private static Expr Node(Expr expr, Expr child) => WithDepth(expr, child.Depth);

    private static Expr Node(Expr expr, Expr left, Expr right) => WithDepth(expr, Math.Max(left.Depth, right.Depth));

    private static Expr WithDepth(Expr expr, int childDepth)
    {
        if (childDepth + 1 > MaxTreeDepth)
        {
            throw new CedarSyntaxException($"the expression is nested more than {MaxTreeDepth} levels deep", expr.Line, expr.Column);
        }

        expr.Depth = childDepth + 1;
        return expr;
    }

    private static Expr Node(Expr expr, params Expr[] children)
    {
        var depth = 0;
        foreach (var child in children)
        {
            depth = Math.Max(depth, child.Depth);
        }

        if (depth + 1 > MaxTreeDepth)
        {
            throw new CedarSyntaxException($"the expression is nested more than {MaxTreeDepth} levels deep", expr.Line, expr.Column);
        }

        expr.Depth = depth + 1;
        return expr;
    }

    /// <summary>A lexical error met while parsing: not a <see cref="CedarSyntaxException"/>, so per-policy recovery does not catch it.</summary>
    private sealed class LexicalError(CedarSyntaxException cause) : Exception(cause.Message, cause)
    {
        public CedarSyntaxException Cause { get; } = cause;
    }
}

/// <summary>One parse error at a position.</summary>
internal readonly record struct SyntaxError(string Message, int Line, int Column);
