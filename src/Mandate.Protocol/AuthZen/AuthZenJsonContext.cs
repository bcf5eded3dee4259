using System.Text.Json.Serialization;

namespace Mandate.Protocol.AuthZen;

/// <summary>Source-generated (reflection-free) JSON metadata for every AuthZEN wire type.</summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    AllowDuplicateProperties = false,
    MaxDepth = 64)]
[JsonSerializable(typeof(EvaluationRequest))]
[JsonSerializable(typeof(EvaluationResponse))]
[JsonSerializable(typeof(EvaluationsRequest))]
[JsonSerializable(typeof(EvaluationsResponse))]
[JsonSerializable(typeof(SearchRequest))]
[JsonSerializable(typeof(EntitySearchResponse))]
[JsonSerializable(typeof(ActionSearchResponse))]
[JsonSerializable(typeof(AuthZenMetadata))]
public sealed partial class AuthZenJsonContext : JsonSerializerContext;
