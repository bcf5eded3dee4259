namespace Mandate.Storage.Relational;

/// <summary>Marks a class as the relational implementation of a Core repository interface.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
internal sealed class RepositoryAttribute(Type contract) : Attribute
{
    public Type Contract { get; } = contract;
}
