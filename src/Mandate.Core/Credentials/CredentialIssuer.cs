using System.Text.Json;
using Mandate.Core.Identity.Keys;
using Mandate.Core.Tasks;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Mandate.Core.Credentials;

/// <summary>Signs task credentials and exchanged tokens with the key ring. Never outlives the key ring's maximum token lifetime.</summary>
internal sealed class CredentialIssuer(IKeyRing keyRing)
{
    private readonly JsonWebTokenHandler handler = new() { SetDefaultTimesOnTokenCreation = false };

    public string Issuer => keyRing.Issuer;

    public IssuedCredential Issue(CredentialDraft draft)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var expires = draft.ExpiresAt;
        if (expires - draft.IssuedAt > keyRing.MaxTokenLifetime)
        {
            expires = draft.IssuedAt + keyRing.MaxTokenLifetime;
        }

        var jti = CompactJti.New();
        var claims = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["sub"] = draft.Subject,
            ["jti"] = jti,
            [MandateClaims.Kind] = draft.Kind,
        };
        claims["aud"] = draft.Audiences.Count == 1 ? draft.Audiences[0] : draft.Audiences.ToList();
        if (draft.Scopes.Count > 0)
        {
            claims["scope"] = string.Join(' ', draft.Scopes);
        }

        if (draft.Chain.ToClaim() is { } act)
        {
            claims["act"] = ToElement(act.ToJsonString());
        }

        if (draft.MayAct is { } mayAct)
        {
            claims["may_act"] = mayAct;
        }

        if (draft.TaskId is not null)
        {
            claims[MandateClaims.TaskId] = draft.TaskId;
        }

        if (draft.Intent is not null)
        {
            claims[MandateClaims.Intent] = ToElement(TaskIntentJson.Serialize(draft.Intent));
        }

        if (draft.Lineage.Count > 0)
        {
            claims[MandateClaims.Lineage] = draft.Lineage.ToList();
        }

        if (draft.Confirmation is { } cnf)
        {
            claims["cnf"] = new Dictionary<string, object>(StringComparer.Ordinal) { [cnf.Method] = cnf.Thumbprint };
        }

        if (draft.ClientId is not null)
        {
            claims["client_id"] = draft.ClientId;
        }

        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = keyRing.Issuer,
            IssuedAt = draft.IssuedAt.UtcDateTime,
            NotBefore = draft.IssuedAt.UtcDateTime,
            Expires = expires.UtcDateTime,
            SigningCredentials = keyRing.CurrentSigningCredentials(),
            TokenType = draft.TokenType,
            Claims = claims,
        };
        var token = handler.CreateToken(descriptor);
        var record = new CredentialRecord
        {
            Jti = jti,
            Kind = draft.Kind,
            Subject = draft.Subject,
            Holder = draft.Chain.Current?.Subject ?? draft.Subject,
            TaskId = draft.TaskId,
            ParentJti = draft.ParentJti,
            Chain = draft.Chain.Subjects,
            Scopes = draft.Scopes,
            Audiences = draft.Audiences,
            IssuedAt = TruncateToSeconds(draft.IssuedAt),
            ExpiresAt = TruncateToSeconds(expires),
            ProofOfPossession = draft.Confirmation,
        };
        return new IssuedCredential(token, record);
    }

    private static JsonElement ToElement(string json) => JsonDocument.Parse(json).RootElement.Clone();

    private static DateTimeOffset TruncateToSeconds(DateTimeOffset value) => DateTimeOffset.FromUnixTimeSeconds(value.ToUnixTimeSeconds());
}
