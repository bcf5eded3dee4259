using Mandate.Protocol.AuthZen;

namespace Mandate.Core.Decisions;

/// <summary>One page of search results; <see cref="Page"/> is null when the whole result set fits and no paging was asked for.</summary>
internal sealed record AuthZenSearchResult<T>(IReadOnlyList<T> Results, PageResponse? Page, string PolicyVersion);
