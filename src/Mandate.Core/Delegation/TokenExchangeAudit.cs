using System.Globalization;
using Mandate.Core.Audit;
using Mandate.Core.Credentials;
using Mandate.Core.Storage;

namespace Mandate.Core.Delegation;

/// <summary>What token exchange writes: the issued credential with its audit event in one transaction, and refusals.</summary>
internal sealed class TokenExchangeAudit(IMandateStore store, IAuditTrail audit)
{
    /// <summary>Stores the exchanged credential and records <c>credential.exchanged</c>, together.</summary>
    public async Task RecordIssuedAsync(TokenExchangeRequest request, ExchangeGrant grant, CredentialRecord record, string issuedType, CancellationToken cancellationToken)
    {
        var subject = grant.Subject;
        var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        await session.Get<ICredentialRepository>().InsertAsync(record, cancellationToken).ConfigureAwait(false);
        await audit.RecordAsync(
            session,
            new AuditEvent
            {
                Type = "credential.exchanged",
                Actor = grant.Actor?.Subject ?? request.ClientId,
                Subject = subject.Subject,
                Chain = grant.Chain.Subjects,
                Action = "token_exchange",
                Resource = string.Join(' ', grant.Targets),
                Decision = "allow",
                CredentialId = record.Jti,
                TaskId = subject.TaskId,
                RequestId = request.RequestId,
                Details = new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    ["parent_jti"] = subject.Jti ?? string.Empty,
                    ["parent_issuer"] = subject.Issuer ?? string.Empty,
                    ["scope"] = ScopeSet.Format(grant.Scopes),
                    ["issued_token_type"] = issuedType,
                    ["client_id"] = request.ClientId ?? string.Empty,
                    ["actor_jti"] = grant.Actor?.Jti ?? string.Empty,
                    ["actor_issuer"] = grant.Actor?.Issuer ?? string.Empty,
                    ["expires_at"] = grant.ExpiresAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
                },
            },
            cancellationToken).ConfigureAwait(false);
        await session.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Records <c>delegation.exchange_refused</c>; the refusal stands even when it cannot be recorded.</summary>
    /// <param name="request">The refused request.</param>
    /// <param name="subject">Its subject token, when it validated.</param>
    /// <param name="actor">Its actor token, when it validated.</param>
    /// <param name="reason">Why.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <param name="refusal">A stable kind for detection (<c>scope_widening</c>: more scope or intent than the subject token carries).</param>
    public async Task RecordRefusalAsync(TokenExchangeRequest request, ValidatedToken? subject, ValidatedToken? actor, string reason, CancellationToken cancellationToken, string? refusal = null)
    {
        try
        {
            var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
            await using var sessionDisposal = session.ConfigureAwait(false);
            await audit.RecordAsync(
                session,
                new AuditEvent
                {
                    Type = "delegation.exchange_refused",
                    Actor = actor?.Subject ?? request.ClientId,
                    Subject = subject?.Subject,
                    Chain = subject?.Chain.Subjects,
                    Action = "token_exchange",
                    Resource = string.Join(' ', request.Audiences.Concat(request.Resources)),
                    Decision = "deny",
                    CredentialId = subject?.IsMandateIssued == true ? subject.Jti : null,
                    TaskId = subject?.TaskId,
                    Reason = reason,
                    RequestId = request.RequestId,
                    Details = Refusal(request, actor, refusal),
                },
                cancellationToken).ConfigureAwait(false);
            await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (StoreException)
        {
            // The refusal stands even when it cannot be recorded; readiness reports the store.
        }
    }

    private static Dictionary<string, string> Refusal(TokenExchangeRequest request, ValidatedToken? actor, string? refusal)
    {
        var details = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["requested_scope"] = request.Scope ?? string.Empty,
            ["client_id"] = request.ClientId ?? string.Empty,
        };
        if (actor?.Jti is { } actorJti)
        {
            details["actor_jti"] = actorJti;
        }

        if (refusal is not null)
        {
            details["refusal"] = refusal;
        }

        return details;
    }
}
