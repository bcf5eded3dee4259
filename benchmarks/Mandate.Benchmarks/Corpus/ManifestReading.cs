using System.Text.Json.Serialization;
using Mandate.Benchmarks.Cedar.Corpus;

namespace Mandate.Benchmarks.Corpus;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(CorpusManifest))]
internal sealed partial class ManifestReading : JsonSerializerContext;
