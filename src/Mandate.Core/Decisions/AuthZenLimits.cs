using System.Text.Json;
using Mandate.Protocol.AuthZen;

namespace Mandate.Core.Decisions;

/// <summary>
/// The size bounds of what reaches a decision (<see cref="DecisionOptions.MaxIdentifierLength"/>,
/// <see cref="DecisionOptions.MaxPropertiesBytes"/>, <see cref="DecisionOptions.MaxContextBytes"/>): ids are written to
/// the ledger with every deny and all of it reaches policy matching, so an oversized member is refused
/// (<c>input-too-large</c>) before anything is mapped, verified, evaluated or audited.
/// </summary>
internal static class AuthZenLimits
{
    public static void Check(DecisionOptions settings, AuthZenEntity? subject, AuthZenAction? action, AuthZenEntity? resource, JsonElement? context, string path = "")
    {
        CheckEntity(settings, subject, path + "subject");
        if (action is not null)
        {
            CheckText(settings, action.Name, path + "action.name");
            CheckJson(action.Properties, settings.MaxPropertiesBytes, path + "action.properties");
        }

        CheckEntity(settings, resource, path + "resource");
        CheckJson(context, settings.MaxContextBytes, path + "context");
    }

    private static void CheckEntity(DecisionOptions settings, AuthZenEntity? entity, string member)
    {
        if (entity is null)
        {
            return;
        }

        CheckText(settings, entity.Type, member + ".type");
        CheckText(settings, entity.Id, member + ".id");
        CheckJson(entity.Properties, settings.MaxPropertiesBytes, member + ".properties");
    }

    private static void CheckText(DecisionOptions settings, string? value, string member)
    {
        if (value is not null && value.Length > settings.MaxIdentifierLength)
        {
            throw new AuthZenRequestException(
                AuthZenErrorCodes.InputTooLarge,
                $"{member} has {value.Length} characters; at most {settings.MaxIdentifierLength} are allowed.");
        }
    }

    private static void CheckJson(JsonElement? json, int maxBytes, string member)
    {
        if (json is not { ValueKind: not (JsonValueKind.Undefined or JsonValueKind.Null) } value)
        {
            return;
        }

        // The raw text is the exact bytes the caller sent for this member (no re-serialisation).
        var length = System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(value).Length;
        if (length > maxBytes)
        {
            throw new AuthZenRequestException(AuthZenErrorCodes.InputTooLarge, $"{member} has {length} bytes of JSON; at most {maxBytes} are allowed.");
        }
    }
}
