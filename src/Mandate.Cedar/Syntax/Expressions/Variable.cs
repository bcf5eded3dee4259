namespace Mandate.Cedar.Syntax.Expressions;

internal enum Variable
{
    Principal,
    Action,
    Resource,
    Context,
}
