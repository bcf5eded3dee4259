namespace Mandate.Core.DynamicCredentials;

/// <summary>Builds the engines of one kind from their configuration (registered by the host, which knows the drivers).</summary>
internal interface IDynamicCredentialEngineFactory
{
    /// <summary>The <c>Kind</c> value this factory builds (<c>postgresql</c>).</summary>
    string Kind { get; }

    IDynamicCredentialEngine Create(string name, DynamicCredentialEngineOptions options);
}
