namespace Mandate.Cedar.Schemas;

/// <summary>
/// Recursive-descent parser for the human <c>.cedarschema</c> syntax, producing <see cref="RawNamespace"/>s.
/// Declarations outside any <c>namespace</c> block all go to the unnamed namespace.
/// </summary>
internal sealed class CedarSchemaParser
{
    // Words that can never be an identifier in Cedar (policy keywords), so they cannot name schema items either.
    private static readonly HashSet<string> ReservedIdentifiers = new(StringComparer.Ordinal)
    {
        "true", "false", "if", "then", "else", "in", "is", "like", "has",
    };

    private readonly List<SchemaToken> tokens;
    private int position;

    private CedarSchemaParser(List<SchemaToken> tokens) => this.tokens = tokens;

    public static List<RawNamespace> Parse(string text)
    {
        var parser = new CedarSchemaParser(CedarSchemaLexer.Tokenize(text));
        return parser.ParseSchema();
    }

    private SchemaToken Current => tokens[position];

    private SchemaToken Peek(int ahead) => tokens[Math.Min(position + ahead, tokens.Count - 1)];

    private SchemaToken Advance()
    {
        var token = tokens[position];
        if (position < tokens.Count - 1)
        {
            position++;
        }

        return token;
    }

    private SchemaSyntaxException Unexpected(string expected) =>
        new($"unexpected {Current.Describe()}, expected {expected}", Current.Location);

    private SchemaToken Expect(string punctuation)
    {
        if (!Current.Is(punctuation))
        {
            throw Unexpected($"`{punctuation}`");
        }

        return Advance();
    }

    private bool Accept(string punctuation)
    {
        if (Current.Is(punctuation))
        {
            Advance();
            return true;
        }

        return false;
    }

    private List<RawNamespace> ParseSchema()
    {
        var unnamed = new RawNamespace("", new SchemaLocation(1, 1, null));
        var result = new List<RawNamespace> { unnamed };
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (Current.Kind != SchemaTokenKind.End)
        {
            var annotations = ParseAnnotations();
            if (Current.IsWord("namespace"))
            {
                var start = Advance();
                var (name, _) = ParsePath();
                if (name.Split("::").Contains("__cedar", StringComparer.Ordinal))
                {
                    throw new SchemaSyntaxException("`__cedar` is reserved and cannot be used in a namespace name", start.Location);
                }

                if (!seen.Add(name))
                {
                    throw new SchemaSyntaxException($"namespace `{name}` is declared twice", start.Location);
                }

                var ns = new RawNamespace(name, start.Location);
                foreach (var (key, value) in annotations)
                {
                    ns.Annotations[key] = value;
                }

                Expect("{");
                while (!Current.Is("}"))
                {
                    if (Current.Kind == SchemaTokenKind.End)
                    {
                        throw Unexpected("`}` closing the namespace");
                    }

                    ParseDeclaration(ns, ParseAnnotations());
                }

                Advance();
                result.Add(ns);
            }
            else
            {
                ParseDeclaration(unnamed, annotations);
            }
        }

        return result;
    }

    private Dictionary<string, string?> ParseAnnotations()
    {
        var annotations = new Dictionary<string, string?>(StringComparer.Ordinal);
        while (Current.Is("@"))
        {
            var at = Advance();
            if (Current.Kind != SchemaTokenKind.Identifier)
            {
                throw Unexpected("an annotation name");
            }

            string key = Advance().Text;
            string? value = null;
            if (Accept("("))
            {
                if (Current.Kind != SchemaTokenKind.String)
                {
                    throw Unexpected("a string literal as the annotation value");
                }

                value = Advance().Text;
                Expect(")");
            }

            if (!annotations.TryAdd(key, value))
            {
                throw new SchemaSyntaxException($"duplicate annotation `@{key}`", at.Location);
            }
        }

        return annotations;
    }

    private void ParseDeclaration(RawNamespace ns, Dictionary<string, string?> annotations)
    {
        if (Current.IsWord("entity"))
        {
            ParseEntity(ns, annotations);
        }
        else if (Current.IsWord("action"))
        {
            ParseAction(ns, annotations);
        }
        else if (Current.IsWord("type"))
        {
            var start = Advance();
            var name = ParseIdent();
            Expect("=");
            var type = ParseType();
            Expect(";");
            ns.CommonTypes.Add(new RawCommonType(name.Text, type, annotations, start.Location));
        }
        else
        {
            throw Unexpected("`entity`, `action`, `type` or `namespace`");
        }
    }

    private void ParseEntity(RawNamespace ns, Dictionary<string, string?> annotations)
    {
        var start = Advance();
        var names = new List<SchemaToken> { ParseIdent() };
        while (Accept(","))
        {
            names.Add(ParseIdent());
        }

        if (Current.IsWord("enum"))
        {
            Advance();
            Expect("[");
            var values = new List<string>();
            do
            {
                if (Current.Kind != SchemaTokenKind.String)
                {
                    throw Unexpected("a string literal naming an enum entity id");
                }

                values.Add(Advance().Text);
            }
            while (Accept(","));
            Expect("]");
            Expect(";");
            foreach (var name in names)
            {
                ns.EntityTypes.Add(new RawEntityType(name.Text, [], null, null, values, annotations, name.Location));
            }

            return;
        }

        var memberOf = new List<(string, SchemaLocation)>();
        if (Current.IsWord("in"))
        {
            Advance();
            memberOf.AddRange(ParseEntityTypeList());
        }

        RawType? shape = null;
        if (Accept("="))
        {
            if (!Current.Is("{"))
            {
                throw Unexpected("`{` starting the entity's attributes");
            }

            shape = ParseType();
        }
        else if (Current.Is("{"))
        {
            shape = ParseType();
        }

        RawType? tags = null;
        if (Current.IsWord("tags"))
        {
            Advance();
            tags = ParseType();
        }

        if (!Current.Is(";"))
        {
            throw Unexpected(shape is null && tags is null ? "`in`, `{`, `tags`, `enum` or `;`" : "`;`");
        }

        Advance();
        _ = start;
        foreach (var name in names)
        {
            ns.EntityTypes.Add(new RawEntityType(name.Text, memberOf, shape, tags, null, annotations, name.Location));
        }
    }

    private List<(string, SchemaLocation)> ParseEntityTypeList()
    {
        var list = new List<(string, SchemaLocation)>();
        if (Accept("["))
        {
            if (!Current.Is("]"))
            {
                do
                {
                    list.Add(ParsePath());
                }
                while (Accept(","));
            }

            Expect("]");
        }
        else
        {
            list.Add(ParsePath());
        }

        return list;
    }

    private void ParseAction(RawNamespace ns, Dictionary<string, string?> annotations)
    {
        Advance();
        var names = new List<(string Name, SchemaLocation Location)> { ParseName() };
        while (Accept(","))
        {
            names.Add(ParseName());
        }

        var parents = new List<RawActionReference>();
        if (Current.IsWord("in"))
        {
            Advance();
            if (Accept("["))
            {
                do
                {
                    parents.Add(ParseActionReference());
                }
                while (Accept(","));
                Expect("]");
            }
            else
            {
                parents.Add(ParseActionReference());
            }
        }

        RawAppliesTo? appliesTo = null;
        if (Current.IsWord("appliesTo"))
        {
            appliesTo = ParseAppliesTo();
        }

        if (Current.IsWord("attributes"))
        {
            // Accepted by the grammar for compatibility; only an empty block is allowed.
            Advance();
            Expect("{");
            Expect("}");
        }

        if (!Current.Is(";"))
        {
            throw Unexpected(appliesTo is null ? "`in`, `appliesTo` or `;`" : "`;`");
        }

        Advance();
        foreach (var (name, location) in names)
        {
            ns.Actions.Add(new RawAction(name, parents, appliesTo, annotations, location));
        }
    }

    private RawAppliesTo ParseAppliesTo()
    {
        var start = Advance();
        Expect("{");
        List<(string, SchemaLocation)>? principals = null, resources = null;
        RawType? context = null;
        bool any = false;
        while (!Current.Is("}"))
        {
            var key = Current;
            if (key.IsWord("principal") || key.IsWord("resource"))
            {
                Advance();
                Expect(":");
                var list = ParseEntityTypeList();
                if (list.Count == 0)
                {
                    throw new SchemaSyntaxException($"`{key.Text}` is `[]`, which is invalid: list at least one entity type", key.Location);
                }

                if (key.IsWord("principal"))
                {
                    if (principals is not null)
                    {
                        throw new SchemaSyntaxException("`principal` is declared twice in `appliesTo`", key.Location);
                    }

                    principals = list;
                }
                else
                {
                    if (resources is not null)
                    {
                        throw new SchemaSyntaxException("`resource` is declared twice in `appliesTo`", key.Location);
                    }

                    resources = list;
                }
            }
            else if (key.IsWord("context"))
            {
                Advance();
                Expect(":");
                if (context is not null)
                {
                    throw new SchemaSyntaxException("`context` is declared twice in `appliesTo`", key.Location);
                }

                if (Current.Is("{"))
                {
                    context = ParseType();
                }
                else
                {
                    var (path, location) = ParsePath();
                    context = new RawNamedType(path, RawReferenceKind.Common, location);
                }
            }
            else
            {
                throw Unexpected("`principal`, `resource`, `context` or `}`");
            }

            any = true;
            if (!Accept(","))
            {
                break;
            }
        }

        Expect("}");
        if (!any)
        {
            throw new SchemaSyntaxException("`appliesTo` must declare `principal` and `resource`", start.Location);
        }

        if (principals is null)
        {
            throw new SchemaSyntaxException("`appliesTo` is missing its `principal` declaration", start.Location);
        }

        if (resources is null)
        {
            throw new SchemaSyntaxException("`appliesTo` is missing its `resource` declaration", start.Location);
        }

        return new RawAppliesTo(principals, resources, context);
    }

    private RawActionReference ParseActionReference()
    {
        var start = Current;
        if (Current.Kind == SchemaTokenKind.String)
        {
            return new RawActionReference(null, Advance().Text, start.Location);
        }

        var first = ParseIdent();
        var parts = new List<string> { first.Text };
        while (Current.Is("::"))
        {
            Advance();
            if (Current.Kind == SchemaTokenKind.String)
            {
                return new RawActionReference(string.Join("::", parts), Advance().Text, start.Location);
            }

            parts.Add(ParseIdent().Text);
        }

        if (parts.Count > 1)
        {
            throw Unexpected("`::` followed by a string literal naming the action");
        }

        return new RawActionReference(null, first.Text, start.Location);
    }

    private RawType ParseType()
    {
        // Nested record and set types recurse; fail cleanly (caught by Schema) long before the stack runs out.
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        var start = Current;
        if (Current.IsWord("Set") && Peek(1).Is("<"))
        {
            Advance();
            Advance();
            var element = ParseType();
            Expect(">");
            return new RawSetType(element, start.Location);
        }

        if (Accept("{"))
        {
            var attributes = new List<RawAttribute>();
            while (!Current.Is("}"))
            {
                var annotations = ParseAnnotations();
                var (name, location) = ParseName();
                bool required = !Accept("?");
                Expect(":");
                var type = ParseType();
                // As in the reference implementation, a repeated attribute replaces the earlier declaration.
                attributes.RemoveAll(a => string.Equals(a.Name, name, StringComparison.Ordinal));
                attributes.Add(new RawAttribute(name, type, required, annotations, location));
                if (!Accept(","))
                {
                    break;
                }
            }

            Expect("}");
            return new RawRecordType(attributes, start.Location);
        }

        if (Current.Kind != SchemaTokenKind.Identifier)
        {
            throw Unexpected("a type");
        }

        var (path, pathLocation) = ParsePath();
        return new RawNamedType(path, RawReferenceKind.EntityOrCommon, pathLocation);
    }

    private (string Name, SchemaLocation Location) ParsePath()
    {
        var first = ParseIdent();
        var parts = new List<string> { first.Text };
        while (Current.Is("::") && Peek(1).Kind == SchemaTokenKind.Identifier)
        {
            Advance();
            parts.Add(ParseIdent().Text);
        }

        return (string.Join("::", parts), first.Location);
    }

    private (string Name, SchemaLocation Location) ParseName()
    {
        if (Current.Kind == SchemaTokenKind.String)
        {
            var token = Advance();
            return (token.Text, token.Location);
        }

        var ident = ParseIdent();
        return (ident.Text, ident.Location);
    }

    private SchemaToken ParseIdent()
    {
        if (Current.Kind != SchemaTokenKind.Identifier)
        {
            throw Unexpected("an identifier");
        }

        if (ReservedIdentifiers.Contains(Current.Text))
        {
            throw new SchemaSyntaxException($"`{Current.Text}` is a reserved word and cannot be used as an identifier", Current.Location);
        }

        return Advance();
    }
}
