using System.Globalization;
using Mandate.Cedar;
using Mandate.Cedar.Syntax;
using Mandate.Cedar.Syntax.Expressions;

namespace Mandate.Core.Exceptions;

/// <summary>
/// The Cedar policy of a grant. Inputs are never pasted into policy text: the resource (and an action written as an
/// entity) is parsed by the Cedar parser as one entity literal and nothing else, the principal and a plain action name
/// become entity uids, and the text is printed from those values (ids escaped by Cedar's own escaper). The printed text
/// is parsed back, and must be exactly one permit naming exactly those three entities, or the grant is refused.
/// </summary>
internal static class GrantPolicy
{
    /// <summary>Annotation carrying the grant id.</summary>
    public const string ExceptionAnnotation = "exception";

    /// <summary>Annotation carrying the grant's expiry (RFC 3339, UTC).</summary>
    public const string ExpiresAnnotation = "expires";

    public const int MaxEntityLength = 1024;

    /// <summary>Reads one entity literal, <c>Type::"id"</c>; null with <paramref name="error"/> when the text is anything else.</summary>
    public static EntityUid? ParseEntity(string? text, string field, out string? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = $"{field}: required (an entity like Document::\"q3-report\").";
            return null;
        }

        if (text.Length > MaxEntityLength)
        {
            error = $"{field}: at most {MaxEntityLength} characters.";
            return null;
        }

        try
        {
            if (Parser.ParseExpression(text.Trim()) is LiteralExpr { Value: var value } && value.Kind == CedarValueKind.Entity)
            {
                return value.AsEntity();
            }
        }
#pragma warning disable CA1031 // Whatever the parser refuses, the answer is the same: not one entity literal.
        catch (Exception)
#pragma warning restore CA1031
        {
        }

        error = $"{field}: must be exactly one Cedar entity like Document::\"q3-report\".";
        return null;
    }

    /// <summary>
    /// The action: an entity literal of an action type (<c>Action::"read"</c>), or a plain name resolved as decisions
    /// resolve AuthZEN action names (<paramref name="byName"/>).
    /// </summary>
    public static EntityUid? ParseAction(string? text, Func<string, EntityUid> byName, out string? error)
    {
        ArgumentNullException.ThrowIfNull(byName);
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "action: required (an action name like read, or Action::\"read\").";
            return null;
        }

        var trimmed = text.Trim();
        if (trimmed.Contains("::", StringComparison.Ordinal))
        {
            var uid = ParseEntity(trimmed, "action", out error);
            if (uid is { } action && !Names.IsActionType(action.Type))
            {
                error = "action: must be an action entity (type Action or Namespace::Action).";
                return null;
            }

            return uid;
        }

        if (trimmed.Length > 256 || trimmed.Any(char.IsControl))
        {
            error = "action: a name of at most 256 characters, without control characters.";
            return null;
        }

        return byName(trimmed);
    }

    /// <summary>The grant's policy text, or null with <paramref name="error"/> when it would not be exactly the intended permit.</summary>
    public static string? Build(string id, DateTimeOffset expiresAt, EntityUid principal, EntityUid action, EntityUid resource, out string? error)
    {
        error = null;
        if (!Names.IsValidTypeName(principal.Type))
        {
            error = $"identity: the principal type '{principal.Type}' is not a Cedar type name.";
            return null;
        }

        var text = string.Create(
            CultureInfo.InvariantCulture,
            $"@{ExceptionAnnotation}({StringEscaper.Quote(id)})\n@{ExpiresAnnotation}({StringEscaper.Quote(FormatExpiry(expiresAt))})\npermit (principal == {principal}, action == {action}, resource == {resource});\n");
        if (Parse(id, text) is not { } set
            || set.Policies is not [var policy]
            || policy.Effect != Effect.Permit
            || !policy.Annotations.TryGetValue(ExceptionAnnotation, out var annotated) || annotated != id)
        {
            error = "the grant does not make exactly one Cedar permit for these entities.";
            return null;
        }

        var scope = PermissionAnalyzer.DescribeScope(policy);
        if (scope.PrincipalKind != ScopeConstraintKind.Equal || scope.PrincipalEntity != principal
            || scope.Actions is not [var scoped] || scoped != action
            || scope.ResourceKind != ScopeConstraintKind.Equal || scope.ResourceEntity != resource
            || scope.ConditionsReadContext || scope.ConditionsReadPrincipal || scope.ConditionsReadResource)
        {
            error = "the grant does not make exactly one Cedar permit for these entities.";
            return null;
        }

        return text;
    }

    /// <summary>The stored text parsed (null when it does not parse: such a grant permits nothing).</summary>
    public static PolicySet? Parse(string id, string text) =>
        PolicySet.TryParse(text, "exception:" + id, "exception:" + id + ":", out var set, out _) ? set : null;

    public static string FormatExpiry(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
