namespace Mandate.Cedar.Conformance;

/// <summary>One request of a corpus case with the answer the reference engine gave.</summary>
internal sealed record CorpusRequest(string Description, Request Request, bool ValidateRequest, Decision Decision, IReadOnlyList<string> Reasons, IReadOnlyList<string> Errors);

/// <summary>A corpus case loaded and prepared: schema, policies, entities and requests (for tests and benchmarks).</summary>
internal sealed record CorpusCase(string Id, Schema Schema, PolicySet Policies, Entities Entities, bool ShouldValidate, IReadOnlyList<CorpusRequest> Requests);

/// <summary>A mismatch: which case, which request (or <c>(load)</c> / <c>(validate)</c>), what was expected and what happened.</summary>
internal sealed record CorpusFailure(string Case, string Request, string Expected, string Actual);

internal sealed record CorpusReport(int Passed, int Failed, IReadOnlyList<CorpusFailure> Failures);
