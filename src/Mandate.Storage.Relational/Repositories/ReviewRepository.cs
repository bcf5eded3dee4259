using System.Data.Common;
using System.Text.Json;
using Mandate.Core.Governance.Reviews;

namespace Mandate.Storage.Relational.Repositories;

[Repository(typeof(IReviewRepository))]
internal sealed class ReviewRepository(RelationalSession session) : IReviewRepository
{
    private const string CampaignColumns =
        "c.id, c.owner, c.reviewer, c.started_by, c.started_at, c.due_at, c.origin, c.status, c.completed_at, " +
        "(SELECT COUNT(*) FROM review_items i WHERE i.campaign_id = c.id), " +
        "(SELECT COUNT(*) FROM review_items i WHERE i.campaign_id = c.id AND i.decision IS NOT NULL)";

    private const string ItemColumns =
        "campaign_id, number, kind, identity, source, owner, action, resource_type, policies, finding, summary, decision, decided_by, decided_at, " +
        "reason, enforcement, enforcement_detail, policy_version, ledger_seq, lifted_by, lifted_at, lift_reason, lift_policy_version, lift_ledger_seq";

    public async Task InsertAsync(ReviewCampaign campaign, IReadOnlyList<ReviewItem> items, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        ArgumentNullException.ThrowIfNull(items);
        await session.ExecuteAsync(
            "INSERT INTO review_campaigns (id, owner, reviewer, started_by, started_at, due_at, origin, status, completed_at) VALUES (@id, @owner, @reviewer, @by, @at, @due, @origin, @status, @completed)",
            cancellationToken,
            ("@id", campaign.Id), ("@owner", campaign.Owner), ("@reviewer", campaign.Reviewer), ("@by", campaign.StartedBy), ("@at", campaign.StartedAt.ToUnixTimeMilliseconds()),
            ("@due", campaign.Due.ToUnixTimeMilliseconds()), ("@origin", campaign.Origin), ("@status", campaign.Status), ("@completed", campaign.CompletedAt?.ToUnixTimeMilliseconds())).ConfigureAwait(false);
        var command = session.Command(
            $"INSERT INTO review_items ({ItemColumns}) VALUES (@c, @n, @kind, @identity, @source, @owner, @action, @rtype, @policies, @finding, @summary, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)",
            ("@c", campaign.Id), ("@n", null), ("@kind", null), ("@identity", null), ("@source", null), ("@owner", null), ("@action", null), ("@rtype", null),
            ("@policies", null), ("@finding", null), ("@summary", null));
        await using var commandDisposal = command.ConfigureAwait(false);
        foreach (var item in items)
        {
            Bind(command, "@n", (long)item.Number);
            Bind(command, "@kind", item.Kind);
            Bind(command, "@identity", item.Identity);
            Bind(command, "@source", item.Source);
            Bind(command, "@owner", item.Owner);
            Bind(command, "@action", item.Action);
            Bind(command, "@rtype", item.ResourceType);
            Bind(command, "@policies", JsonSerializer.Serialize(item.Policies));
            Bind(command, "@finding", item.Finding);
            Bind(command, "@summary", item.Summary);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<ReviewCampaign?> GetAsync(string id, CancellationToken cancellationToken) =>
        (await ReadCampaignsAsync($"SELECT {CampaignColumns} FROM review_campaigns c WHERE c.id = @id", cancellationToken, ("@id", id)).ConfigureAwait(false)).FirstOrDefault();

    public Task<IReadOnlyList<ReviewCampaign>> ListAsync(int limit, CancellationToken cancellationToken) =>
        ReadCampaignsAsync($"SELECT {CampaignColumns} FROM review_campaigns c ORDER BY c.started_at DESC, c.id DESC LIMIT @limit", cancellationToken, ("@limit", (long)limit));

    public Task<IReadOnlyList<ReviewItem>> ItemsAsync(string campaignId, CancellationToken cancellationToken) =>
        ReadItemsAsync($"SELECT {ItemColumns} FROM review_items WHERE campaign_id = @c ORDER BY number", cancellationToken, ("@c", campaignId));

    public Task<IReadOnlyList<ReviewItem>> RevokedEntitlementsAsync(CancellationToken cancellationToken) =>
        ReadItemsAsync(
            $"SELECT {ItemColumns} FROM review_items WHERE kind = 'entitlement' AND decision = 'revoked' AND enforcement = 'policy_version' AND lifted_at IS NULL ORDER BY campaign_id, number",
            cancellationToken);

    private async Task<IReadOnlyList<ReviewItem>> ReadItemsAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        var command = session.Command(sql, parameters);
        await using var commandDisposal = command.ConfigureAwait(false);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        var items = new List<ReviewItem>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            items.Add(new ReviewItem
            {
                CampaignId = reader.GetString(0),
                Number = (int)reader.GetInt64(1),
                Kind = reader.GetString(2),
                Identity = reader.GetString(3),
                Source = reader.GetString(4),
                Owner = Text(reader, 5),
                Action = Text(reader, 6),
                ResourceType = Text(reader, 7),
                Policies = JsonSerializer.Deserialize<List<string>>(reader.GetString(8)) ?? [],
                Finding = Text(reader, 9),
                Summary = reader.GetString(10),
                Decision = Text(reader, 11),
                DecidedBy = Text(reader, 12),
                DecidedAt = reader.IsDBNull(13) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(13)),
                Reason = Text(reader, 14),
                Enforcement = Text(reader, 15),
                EnforcementDetail = Text(reader, 16),
                PolicyVersion = Text(reader, 17),
                LedgerSequence = reader.IsDBNull(18) ? null : reader.GetInt64(18),
                LiftedBy = Text(reader, 19),
                LiftedAt = reader.IsDBNull(20) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(20)),
                LiftReason = Text(reader, 21),
                LiftPolicyVersion = Text(reader, 22),
                LiftLedgerSequence = reader.IsDBNull(23) ? null : reader.GetInt64(23),
            });
        }

        return items;
    }

    public async Task<bool> DecideAsync(ReviewItem decided, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(decided);
        var changed = await session.ExecuteAsync(
            """
            UPDATE review_items SET decision = @decision, decided_by = @by, decided_at = @at, reason = @reason, enforcement = @enforcement,
              enforcement_detail = @detail, policy_version = @version, ledger_seq = @seq
            WHERE campaign_id = @c AND number = @n AND decision IS NULL
            """,
            cancellationToken,
            ("@decision", decided.Decision), ("@by", decided.DecidedBy), ("@at", decided.DecidedAt?.ToUnixTimeMilliseconds()), ("@reason", decided.Reason),
            ("@enforcement", decided.Enforcement), ("@detail", decided.EnforcementDetail), ("@version", decided.PolicyVersion), ("@seq", decided.LedgerSequence),
            ("@c", decided.CampaignId), ("@n", (long)decided.Number)).ConfigureAwait(false);
        return changed == 1;
    }

    public async Task<bool> LiftAsync(ReviewItem lifted, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lifted);
        var changed = await session.ExecuteAsync(
            """
            UPDATE review_items SET lifted_by = @by, lifted_at = @at, lift_reason = @reason, lift_policy_version = @version, lift_ledger_seq = @seq
            WHERE campaign_id = @c AND number = @n AND kind = 'entitlement' AND decision = 'revoked' AND lifted_at IS NULL
            """,
            cancellationToken,
            ("@by", lifted.LiftedBy), ("@at", lifted.LiftedAt?.ToUnixTimeMilliseconds()), ("@reason", lifted.LiftReason), ("@version", lifted.LiftPolicyVersion),
            ("@seq", lifted.LiftLedgerSequence), ("@c", lifted.CampaignId), ("@n", (long)lifted.Number)).ConfigureAwait(false);
        return changed == 1;
    }

    public Task<IReadOnlyList<ReviewCampaign>> UnreportedOverdueAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        ReadCampaignsAsync(
            $"SELECT {CampaignColumns} FROM review_campaigns c WHERE c.status = 'open' AND c.due_at < @now AND c.overdue_reported_at IS NULL ORDER BY c.due_at, c.id",
            cancellationToken,
            ("@now", now.ToUnixTimeMilliseconds()));

    public async Task<bool> MarkOverdueReportedAsync(string id, DateTimeOffset at, CancellationToken cancellationToken) =>
        await session.ExecuteAsync(
            "UPDATE review_campaigns SET overdue_reported_at = @at WHERE id = @id AND overdue_reported_at IS NULL",
            cancellationToken,
            ("@at", at.ToUnixTimeMilliseconds()), ("@id", id)).ConfigureAwait(false) == 1;

    public Task CompleteAsync(string id, DateTimeOffset at, CancellationToken cancellationToken) =>
        session.ExecuteAsync("UPDATE review_campaigns SET status = 'completed', completed_at = @at WHERE id = @id AND status = 'open'", cancellationToken, ("@at", at.ToUnixTimeMilliseconds()), ("@id", id));

    private async Task<IReadOnlyList<ReviewCampaign>> ReadCampaignsAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        var command = session.Command(sql, parameters);
        await using var commandDisposal = command.ConfigureAwait(false);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        var list = new List<ReviewCampaign>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(new ReviewCampaign
            {
                Id = reader.GetString(0),
                Owner = Text(reader, 1),
                Reviewer = Text(reader, 2),
                StartedBy = reader.GetString(3),
                StartedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)),
                Due = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
                Origin = reader.GetString(6),
                Status = reader.GetString(7),
                CompletedAt = reader.IsDBNull(8) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(8)),
                Items = (int)reader.GetInt64(9),
                Decided = (int)reader.GetInt64(10),
            });
        }

        return list;
    }

    private static string? Text(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static void Bind(DbCommand command, string name, object? value) => command.Parameters[name].Value = value ?? DBNull.Value;
}
