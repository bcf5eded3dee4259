using System.Text.Json.Serialization;

namespace Mandate.Protocol.OAuth;

/// <summary>Source-generated JSON metadata for the OAuth wire types (names are fixed by the RFCs, not by a naming policy).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(OAuthError))]
[JsonSerializable(typeof(TokenExchangeResponse))]
[JsonSerializable(typeof(IntrospectionResponse))]
public sealed partial class OAuthJsonContext : JsonSerializerContext;
