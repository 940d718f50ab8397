using Marten;
using NationalRegister.Episodes;

namespace NationalRegister.Analytics;

/// <summary>
/// Runs the views' SQL through Marten's AdvancedSql, parameters bound by name (:force) from an anonymous object. Each view is
/// one SQL text that answers one JSON value: a list answers <c>{"total": n, "items": [...]}</c> for the page asked, so a page
/// and its count take one round trip.
/// </summary>
internal static class Query
{
    private sealed record Counted<T>(long Total, IReadOnlyList<T> Items);

    /// <param name="key">The sort key of a row, for a list paged by keyset: a full page then says where the next one starts.</param>
    public static async Task<PageOf<T>> Page<T>(IQuerySession session, Freshness freshness, string sql, object parameters, Paging paging, string projection,
        CancellationToken ct, Func<T, Cursor>? key = null)
    {
        var page = await One<Counted<T>>(session, sql, parameters, ct);
        var next = key is not null && page.Items.Count == paging.PageSize ? key(page.Items[^1]).ToString() : null;
        return new PageOf<T>(page.Items, paging.Page, paging.PageSize, page.Total, await freshness.Of(session, ct, projection), next);
    }

    public static async Task<T> One<T>(IQuerySession session, string sql, object parameters, CancellationToken ct) =>
        (await session.AdvancedSql.QueryAsync<T>(sql, ct, parameters))[0];

    /// <summary>Whole hours (one decimal) between an instant and now, as analysts read "time missing" and "overdue by".</summary>
    public static string HoursSince(string instant) => $"round((extract(epoch from (:now - {instant})) / 3600)::numeric, 1)";

    /// <summary>The age band analysts see, from the age when last seen.</summary>
    public static string AgeBand(string years = "e.age_when_last_seen") => AgeBands.Sql(years);
}
