using System.Text.Json.Serialization;

namespace Mandate.Benchmarks.Cedar.Corpus;

/// <summary>The index of an exported corpus (manifest.json); paths are relative to the corpus directory.</summary>
public sealed record CorpusManifest(ulong Seed, int Hierarchies, int RequestsPerHierarchy, IReadOnlyList<ManifestApp> Apps);

/// <summary>One policy set and schema, and the request sets asked against it.</summary>
public sealed record ManifestApp(string Name, string Policies, string Schema, int PolicyCount, IReadOnlyList<ManifestSet> Sets);

/// <summary>One set file; <see cref="Entities"/> is the mean entity count of its hierarchies (action entities included).</summary>
public sealed record ManifestSet(string Label, int EntitiesPerType, string File, int Hierarchies, int Requests, int Entities, bool Sliced);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(CorpusManifest))]
internal sealed partial class ManifestJson : JsonSerializerContext;
