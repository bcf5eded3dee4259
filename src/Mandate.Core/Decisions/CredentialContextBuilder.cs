using System.Text.Json;
using Mandate.Cedar;

namespace Mandate.Core.Decisions;

/// <summary>
/// Builds the Cedar context: the caller's context members (reserved ones removed), <c>risk</c>, and — when
/// <c>context.credential</c> carries a task token or SVID — the verified <c>task</c>, <c>chain</c> and
/// <c>chain_depth</c>. A credential that does not verify, or whose subject is not the request's subject, denies before
/// any policy runs.
/// </summary>
internal sealed class CredentialContextBuilder(IEnumerable<IRiskSource> riskSources, ICredentialContextVerifier credentialVerifier)
{
    private static readonly CedarValue LowRisk = Risk(new RiskAssessment(0, "low"));
    private static readonly IReadOnlyDictionary<string, CedarValue> DefaultContext =
        new Dictionary<string, CedarValue>(StringComparer.Ordinal) { ["risk"] = LowRisk };

    private readonly IRiskSource[] risks = riskSources.ToArray();

    public async ValueTask<MappedContext> BuildAsync(JsonElement? context, EntityUid principal, EntityUid action, EntityUid resource, AuthZenCall call, CancellationToken cancellationToken)
    {
        var hasContext = context is { ValueKind: JsonValueKind.Object } json && json.EnumerateObject().MoveNext();
        if (!hasContext)
        {
            // The common request carries no context: the shared context when the principal's risk is low (no dictionary
            // per decision), a context of its own only when a risk source has something to say.
            var risk = CurrentRisk(principal);
            if (ReferenceEquals(risk, LowRisk))
            {
                return new MappedContext(DefaultContext);
            }

            var risky = new Dictionary<string, CedarValue>(1, StringComparer.Ordinal) { ["risk"] = risk };
            return new MappedContext(risky) { Recorded = risky };
        }

        var members = context!.Value;
        Dictionary<string, CedarValue> attributes;
        try
        {
            attributes = JsonCedar.ToAttributes(members, AuthZenRequestMapper.ReservedContextMembers);
        }
        catch (JsonException e)
        {
            throw new AuthZenRequestException("context: " + e.Message, e);
        }

        var currentRisk = CurrentRisk(principal);
        attributes["risk"] = currentRisk;

        // What the audit record keeps: the caller's members as sent (risk too when it is not low), before the verified
        // credential adds the task and chain the record names anyway. A caller's own "risk" member is overwritten
        // above, so the record shows the risk the policies saw.
        var recorded = attributes.Count > 1 || !ReferenceEquals(currentRisk, LowRisk)
            ? ReferenceEquals(currentRisk, LowRisk) ? Without(attributes, "risk") : new Dictionary<string, CedarValue>(attributes, StringComparer.Ordinal)
            : null;
        if (!members.TryGetProperty("credential", out var credential)
            || credential.ValueKind is JsonValueKind.Null)
        {
            return new MappedContext(attributes) { Recorded = recorded };
        }

        if (credential.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(credential.GetString()))
        {
            throw new AuthZenRequestException("context.credential must be a non-empty string (a task token or JWT-SVID).");
        }

        var proof = CredentialProof.Read(members);
        var destination = members.TryGetProperty("destination", out var to) && to.ValueKind == JsonValueKind.String ? to.GetString() : null;
        var verified = await credentialVerifier.VerifyAsync(credential.GetString()!, proof, destination, principal, action, resource, call, cancellationToken).ConfigureAwait(false);
        if (!verified.Valid)
        {
            return new MappedContext(attributes, verified.CredentialId, verified.TaskId, verified.Chain, new AuthZenDecision(
                false, null, null, [], [], DenyCode: verified.Error ?? "invalid_credential", DenyDescription: verified.Description))
            { Recorded = recorded };
        }

        foreach (var (name, value) in verified.ContextMembers)
        {
            attributes[name] = value;
        }

        return new MappedContext(attributes, verified.CredentialId, verified.TaskId, verified.Chain) { Recorded = recorded };
    }

    private static Dictionary<string, CedarValue> Without(Dictionary<string, CedarValue> attributes, string name)
    {
        var copy = new Dictionary<string, CedarValue>(attributes, StringComparer.Ordinal);
        copy.Remove(name);
        return copy;
    }

    /// <summary>
    /// Verifies <c>context.credential</c> (with <c>context.credential_proof</c>) for <paramref name="principal"/> without
    /// an action or resource: alive, issued by Mandate, proven, and the principal's own.
    /// </summary>
    /// <exception cref="AuthZenRequestException">The context carries no credential, or a malformed proof.</exception>
    public ValueTask<CredentialContext> CheckAsync(JsonElement? context, EntityUid principal, AuthZenCall call, CancellationToken cancellationToken)
    {
        if (context is not { ValueKind: JsonValueKind.Object } json
            || !json.TryGetProperty("credential", out var credential)
            || credential.ValueKind != JsonValueKind.String
            || string.IsNullOrEmpty(credential.GetString()))
        {
            throw new AuthZenRequestException("context.credential is required: a task token, an exchanged token or a JWT-SVID.");
        }

        return credentialVerifier.CheckAsync(credential.GetString()!, CredentialProof.Read(json), principal, call, cancellationToken);
    }

    private CedarValue CurrentRisk(EntityUid principal)
    {
        foreach (var source in risks)
        {
            if (source.Assess(principal) is { } assessment)
            {
                return Risk(assessment);
            }
        }

        return LowRisk;
    }

    private static CedarValue Risk(RiskAssessment assessment) => CedarValue.Record(
    [
        new("score", CedarValue.Long(assessment.Score)),
        new("level", CedarValue.String(assessment.Level)),
    ]);
}
