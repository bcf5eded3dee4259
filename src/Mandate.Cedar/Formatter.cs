using System.Text;
using Mandate.Cedar.Formatting;
using Mandate.Cedar.Syntax;

namespace Mandate.Cedar;

/// <summary>
/// Formats Cedar policy text into a stable, idiomatic layout. Comments are kept: a comment inside a policy moves to
/// just before it. Formatting is idempotent and <c>parse(format(p))</c> equals <c>parse(p)</c>.
/// </summary>
public static class Formatter
{
    /// <summary>Formats <paramref name="policyText"/>; throws <see cref="CedarParseException"/> when it does not parse.</summary>
    public static string Format(string policyText, string? source = null)
    {
        ArgumentNullException.ThrowIfNull(policyText);
        var errors = new List<SyntaxError>();
        var policies = Parser.ParsePolicies(policyText, errors, out var comments);
        if (errors.Count > 0)
        {
            throw new CedarParseException(errors.Select(e => new CedarDiagnostic(CedarDiagnostic.SyntaxErrorCode, e.Message, source, e.Line, e.Column)).ToList());
        }

        var builder = new StringBuilder();
        var nextComment = 0;
        foreach (var policy in policies)
        {
            if (builder.Length > 0)
            {
                builder.Append('\n');
            }

            // Comments before this policy's end (leading and inner ones) go right before it.
            var previousLine = -1;
            while (nextComment < comments.Count && comments[nextComment].Offset < policy.EndOffset)
            {
                AppendComment(builder, comments[nextComment], ref previousLine);
                nextComment++;
            }

            builder.Append(PolicyFormatter.Format(policy));
            // A comment on the same line as the closing `;` stays there.
            if (nextComment < comments.Count && !comments[nextComment].OwnLine
                && LineOf(policyText, policy.EndOffset - 1) == comments[nextComment].Line)
            {
                builder.Append(' ').Append(comments[nextComment].Text);
                nextComment++;
            }

            builder.Append('\n');
        }

        if (nextComment < comments.Count && builder.Length > 0)
        {
            builder.Append('\n');
        }

        var trailingLine = -1;
        for (; nextComment < comments.Count; nextComment++)
        {
            AppendComment(builder, comments[nextComment], ref trailingLine);
        }

        return builder.ToString();
    }

    // A blank line between two comment blocks (a file header and a policy's own comment) is kept, as one blank line.
    private static void AppendComment(StringBuilder builder, SourceComment comment, ref int previousLine)
    {
        if (previousLine > 0 && comment.OwnLine && comment.Line > previousLine + 1)
        {
            builder.Append('\n');
        }

        builder.Append(comment.Text).Append('\n');
        previousLine = comment.Line;
    }

    private static int LineOf(string text, int offset)
    {
        var line = 1;
        for (var i = 0; i < offset && i < text.Length; i++)
        {
            if (text[i] == '\n')
            {
                line++;
            }
        }

        return line;
    }
}
