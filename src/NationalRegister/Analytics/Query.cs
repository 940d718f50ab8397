using Marten;
using NationalRegister.Episodes;

namespace NationalRegister.Analytics;

/// <summary>
/// The views' SQL, run through Marten's AdvancedSql: each row is built as JSON in the database (jsonb_build_object) and
/// read into the view's record; lists are paged in the database and counted by a second query over the same rows.
/// </summary>
internal static class Query
{
    public static async Task<PageOf<T>> Page<T>(IQuerySession session, Freshness freshness, string json, string from, string orderBy,
        object parameters, Paging paging, CancellationToken ct, params string[] projections)
    {
        var items = await session.AdvancedSql.QueryAsync<T>(
            $"select {json} {from} order by {orderBy} limit {paging.PageSize} offset {paging.Offset}", ct, parameters);
        var total = await session.AdvancedSql.QueryAsync<long>($"select count(*) from (select 1 {from}) counted", ct, parameters);
        return new PageOf<T>(items, paging.Page, paging.PageSize, total[0], await freshness.Of(session, ct, projections));
    }

    public static async Task<IReadOnlyList<T>> Rows<T>(IQuerySession session, string sql, object parameters, CancellationToken ct) =>
        await session.AdvancedSql.QueryAsync<T>(sql, ct, parameters);

    /// <summary>Whole hours (one decimal) between a column and now, as analysts read "time missing" and "overdue by".</summary>
    public static string HoursSince(string column) => $"round((extract(epoch from (:now - {column})) / 3600)::numeric, 1)";

    public static string AgeBand => AgeBands.Sql("(e.data->>'ageWhenLastSeen')::int");
}
