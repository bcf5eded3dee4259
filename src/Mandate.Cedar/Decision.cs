namespace Mandate.Cedar;

public enum Decision
{
    Deny,
    Allow,
}
