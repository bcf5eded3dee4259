namespace Mandate.Core.Identity.Inventory;

/// <summary>Every identity a query matches, read page by page in SPIFFE ID order (keyset pagination).</summary>
internal static class IdentityRepositoryPaging
{
    private const int PageSize = 500;

    /// <summary>
    /// Every identity matching <paramref name="query"/> (its <see cref="IdentityQuery.After"/> and
    /// <see cref="IdentityQuery.Limit"/> are replaced), in SPIFFE ID order, read <c>500</c> per query.
    /// </summary>
    public static async Task<List<WorkloadIdentity>> ListAllAsync(this IIdentityRepository repository, IdentityQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(query);
        var result = new List<WorkloadIdentity>();
        string? after = null;
        while (true)
        {
            var page = await repository.ListAsync(query with { After = after, Limit = PageSize }, cancellationToken).ConfigureAwait(false);
            result.AddRange(page);
            if (page.Count < PageSize)
            {
                return result;
            }

            after = page[^1].SpiffeId;
        }
    }
}
