using System.Text.Json;
using Mandate.Cedar;
using Mandate.Cedar.Json;
using Mandate.Cedar.Syntax;
using Mandate.Cedar.Syntax.Expressions;

namespace Mandate.Cli.Commands;

/// <summary>Reads an entity uid given on the command line: Cedar syntax <c>Type::"id"</c> or JSON <c>{"type":..,"id":..}</c>.</summary>
internal static class EntityUidText
{
    public static EntityUid Parse(string text, string option)
    {
        var trimmed = text.Trim();
        if (trimmed.StartsWith('{'))
        {
            try
            {
                using var document = JsonDocument.Parse(trimmed);
                return CedarJsonReader.ReadUid(document.RootElement, option);
            }
            catch (JsonException ex)
            {
                throw new CedarException($"{option}: not valid JSON: {ex.Message}");
            }
        }

        try
        {
            if (Parser.ParseExpression(trimmed) is LiteralExpr { Value: var value } && value.Kind == CedarValueKind.Entity)
            {
                return value.AsEntity();
            }
        }
        catch (CedarSyntaxException ex)
        {
            throw new CedarException($"{option}: {ex.Message} (column {ex.Column})");
        }

        throw new CedarException($"{option}: expected an entity like User::\"alice\", got `{text}`");
    }
}
