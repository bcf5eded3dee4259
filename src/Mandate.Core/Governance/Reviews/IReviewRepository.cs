namespace Mandate.Core.Governance.Reviews;

/// <summary>Access review campaigns and their items.</summary>
internal interface IReviewRepository
{
    Task InsertAsync(ReviewCampaign campaign, IReadOnlyList<ReviewItem> items, CancellationToken cancellationToken);

    /// <summary>The campaign with its item counts, or null.</summary>
    Task<ReviewCampaign?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>Campaigns, newest first, with their item counts.</summary>
    Task<IReadOnlyList<ReviewCampaign>> ListAsync(int limit, CancellationToken cancellationToken);

    /// <summary>The campaign's items in number order.</summary>
    Task<IReadOnlyList<ReviewItem>> ItemsAsync(string campaignId, CancellationToken cancellationToken);

    /// <summary>Records the decision of an undecided item; false, changing nothing, when it was decided already.</summary>
    Task<bool> DecideAsync(ReviewItem decided, CancellationToken cancellationToken);

    /// <summary>Records the lift of a revoked entitlement; false, changing nothing, when it is not revoked or was lifted already.</summary>
    Task<bool> LiftAsync(ReviewItem lifted, CancellationToken cancellationToken);

    /// <summary>Every revoked entitlement item of every campaign not lifted since, by campaign and number: the forbids that must stay in force.</summary>
    Task<IReadOnlyList<ReviewItem>> RevokedEntitlementsAsync(CancellationToken cancellationToken);

    /// <summary>Open campaigns past <paramref name="now"/> whose lateness was not reported yet.</summary>
    Task<IReadOnlyList<ReviewCampaign>> UnreportedOverdueAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Records that the campaign's lateness was reported; false when it already was.</summary>
    Task<bool> MarkOverdueReportedAsync(string id, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Marks the campaign completed.</summary>
    Task CompleteAsync(string id, DateTimeOffset at, CancellationToken cancellationToken);
}
