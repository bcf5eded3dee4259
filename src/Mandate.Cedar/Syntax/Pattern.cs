using System.Text;

namespace Mandate.Cedar.Syntax;

/// <summary>A <c>like</c> pattern: literal text with <c>*</c> wildcards (a literal star is written <c>\*</c>).</summary>
internal sealed class Pattern
{
    private readonly string text;
    private readonly bool[] isWildcard;
    private readonly Segments segments;

    public Pattern(string text, IReadOnlyCollection<int> wildcardPositions)
    {
        this.text = text;
        isWildcard = new bool[text.Length];
        foreach (var position in wildcardPositions)
        {
            isWildcard[position] = true;
        }

        segments = Segments.Build(text, isWildcard);
    }

    /// <summary>
    /// Whether <paramref name="input"/> matches, in O(n + m) for every pattern and input. The pattern is literal
    /// segments between runs of stars: the first segment must be a prefix (unless the pattern starts with a star), the
    /// last a suffix (unless it ends with one), and each middle segment is found at its leftmost occurrence after the
    /// previous one with Knuth-Morris-Pratt (tables built once, when the policy is parsed). Leftmost is always right for
    /// star-only patterns: a later occurrence only leaves less text for the segments after it. So no position of the
    /// input is ever read twice per segment search, unlike backtracking to the last star, which is O(n·m) on inputs
    /// such as <c>"aaaa…"</c> against <c>"*aaaaab*"</c>.
    /// </summary>
    public bool Matches(string input)
    {
        var plan = segments;
        if (!plan.HasWildcard)
        {
            return string.Equals(text, input, StringComparison.Ordinal);
        }

        var span = input.AsSpan();
        var start = 0;
        var end = span.Length;
        var first = 0;
        var last = plan.Literals.Length;
        if (!plan.LeadingStar)
        {
            var prefix = plan.Literals[0];
            if (!span.StartsWith(prefix, StringComparison.Ordinal))
            {
                return false;
            }

            start = prefix.Length;
            first = 1;
        }

        if (!plan.TrailingStar)
        {
            var suffix = plan.Literals[^1];
            if (end - start < suffix.Length || !span.EndsWith(suffix, StringComparison.Ordinal))
            {
                return false;
            }

            end -= suffix.Length;
            last--;
        }

        for (var i = first; i < last; i++)
        {
            var found = Segments.IndexOf(span[start..end], plan.Literals[i], plan.Failure[i]);
            if (found < 0)
            {
                return false;
            }

            start += found + plan.Literals[i].Length;
        }

        return true;
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

    /// <summary>The literal runs between stars and their KMP failure tables.</summary>
    private sealed class Segments
    {
        private Segments(bool hasWildcard, bool leadingStar, bool trailingStar, string[] literals)
        {
            HasWildcard = hasWildcard;
            LeadingStar = leadingStar;
            TrailingStar = trailingStar;
            Literals = literals;
            Failure = Array.ConvertAll(literals, FailureOf);
        }

        public bool HasWildcard { get; }

        public bool LeadingStar { get; }

        public bool TrailingStar { get; }

        /// <summary>The non-empty literal runs in order (stars of a run count as one).</summary>
        public string[] Literals { get; }

        public int[][] Failure { get; }

        public static Segments Build(string text, bool[] isWildcard)
        {
            var literals = new List<string>();
            var run = new StringBuilder();
            var any = false;
            for (var i = 0; i < text.Length; i++)
            {
                if (isWildcard[i])
                {
                    any = true;
                    if (run.Length > 0)
                    {
                        literals.Add(run.ToString());
                        run.Clear();
                    }
                }
                else
                {
                    run.Append(text[i]);
                }
            }

            if (run.Length > 0)
            {
                literals.Add(run.ToString());
            }

            var leading = text.Length > 0 && isWildcard[0];
            var trailing = text.Length > 0 && isWildcard[^1];
            return new Segments(any, leading, trailing, [.. literals]);
        }

        /// <summary>The leftmost occurrence of <paramref name="needle"/> in <paramref name="haystack"/>, in O(n + k).</summary>
        public static int IndexOf(ReadOnlySpan<char> haystack, string needle, int[] failure)
        {
            var matched = 0;
            for (var i = 0; i < haystack.Length; i++)
            {
                while (matched > 0 && haystack[i] != needle[matched])
                {
                    matched = failure[matched - 1];
                }

                if (haystack[i] == needle[matched])
                {
                    matched++;
                    if (matched == needle.Length)
                    {
                        return i - needle.Length + 1;
                    }
                }
            }

            return -1;
        }

        private static int[] FailureOf(string needle)
        {
            var failure = new int[needle.Length];
            var k = 0;
            for (var i = 1; i < needle.Length; i++)
            {
                while (k > 0 && needle[i] != needle[k])
                {
                    k = failure[k - 1];
                }

                if (needle[i] == needle[k])
                {
                    k++;
                }

                failure[i] = k;
            }

            return failure;
        }
    }
}
