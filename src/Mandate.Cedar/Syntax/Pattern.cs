using System.Text;

namespace Mandate.Cedar.Syntax;

/// <summary>A <c>like</c> pattern: literal text with <c>*</c> wildcards (a literal star is written <c>\*</c>).</summary>
internal sealed class Pattern
{
    private readonly string text;
    private readonly bool[] isWildcard;

    public Pattern(string text, IReadOnlyCollection<int> wildcardPositions)
    {
        this.text = text;
        isWildcard = new bool[text.Length];
        foreach (var position in wildcardPositions)
        {
            isWildcard[position] = true;
        }
    }

    /// <summary>Greedy wildcard matching with a single backtrack point: linear for most patterns, never exponential.</summary>
    public bool Matches(string input)
    {
        int p = 0, s = 0, starP = -1, starS = 0;
        while (s < input.Length)
        {
            if (p < text.Length && isWildcard[p])
            {
                starP = p++;
                starS = s;
            }
            else if (p < text.Length && text[p] == input[s])
            {
                p++;
                s++;
            }
            else if (starP >= 0)
            {
                p = starP + 1;
                s = ++starS;
            }
            else
            {
                return false;
            }
        }

        while (p < text.Length && isWildcard[p])
        {
            p++;
        }

        return p == text.Length;
    }

    /// <summary>The pattern as a Cedar string literal (stars that are literal are escaped).</summary>
    public void AppendLiteral(StringBuilder builder)
    {
        builder.Append('"');
        var runStart = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            if (i == text.Length || isWildcard[i])
            {
                // Escape whole runs of literal text so surrogate pairs stay together.
                StringEscaper.AppendEscaped(builder, text[runStart..i], escapeStar: true);
                if (i < text.Length)
                {
                    builder.Append('*');
                }

                runStart = i + 1;
            }
        }

        builder.Append('"');
    }

    public override string ToString()
    {
        var builder = new StringBuilder();
        AppendLiteral(builder);
        return builder.ToString();
    }
}
