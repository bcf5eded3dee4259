using Mandate.Core.DynamicCredentials;

namespace Mandate.Server.DynamicCredentials;

/// <summary>Builds <c>Kind=postgresql</c> engines.</summary>
internal sealed class PostgresDynamicCredentialEngineFactory : IDynamicCredentialEngineFactory
{
    public string Kind => PostgresDynamicCredentialEngine.EngineKind;

    public IDynamicCredentialEngine Create(string name, DynamicCredentialEngineOptions options) => new PostgresDynamicCredentialEngine(name, options);
}
