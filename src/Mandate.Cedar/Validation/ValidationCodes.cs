namespace Mandate.Cedar.Validation;

/// <summary>Stable codes of validator findings (listed in docs/errors.md).</summary>
internal static class ValidationCodes
{
    public const string UnrecognizedEntityType = "unrecognized-entity-type";
    public const string UnrecognizedAction = "unrecognized-action";
    public const string InvalidEnumEntity = "invalid-enum-entity";
    public const string InvalidActionApplication = "invalid-action-application";
    public const string UnexpectedType = "unexpected-type";
    public const string IncompatibleTypes = "incompatible-types";
    public const string UnknownAttribute = "unknown-attribute";
    public const string UnsafeOptionalAttributeAccess = "unsafe-optional-attribute-access";
    public const string UnsafeTagAccess = "unsafe-tag-access";
    public const string NoTagsAllowed = "no-tags-allowed";
    public const string UndefinedFunction = "undefined-function";
    public const string WrongArgumentCount = "wrong-argument-count";
    public const string InvalidExtensionArgument = "invalid-extension-argument";
    public const string NonLiteralExtensionConstructor = "non-literal-extension-constructor";
    public const string EmptySetLiteral = "empty-set-literal";
    public const string TooDeep = "expression-too-deep";
    public const string ImpossiblePolicy = "impossible-policy";
}
