using Marten;
using NationalRegister.Episodes;
using NationalRegister.Infrastructure.Postgres;
using Npgsql;

namespace NationalRegister.Analytics;

/// <summary>
/// Runs the national views' SQL, parameters bound by name (:force) from an anonymous object by Marten's AdvancedSql. Each
/// view is one SQL text that answers one JSON value: a list answers <c>{"total": n, "items": [...]}</c> for the page asked,
/// so a page and its count take one round trip; its freshness is read in the same session, from the same server.
/// <para>
/// With a standby in the connection string (several hosts) the views are read there (Npgsql multi-host, prefer-standby:
/// the primary while no standby is up). Only these statements go there: writes, the async daemon's event pages and every
/// other read stay on the primary, so a lagging standby makes a view older, and its asOf says so, but never skips an
/// event (StandbyTests, docs/scaling.md).
/// </para>
/// </summary>
public sealed class ViewReads(IDocumentStore store, RegisterDatabase database, Freshness freshness) : IAsyncDisposable
{
    private readonly Lazy<NpgsqlMultiHostDataSource?> _standby = new(() => StandbyPreferred(database.ConnectionString));

    public async Task<PageOf<T>> Page<T>(string sql, object parameters, Paging paging, string projection, CancellationToken ct,
        Func<T, Cursor>? key = null)
    {
        var (page, asOf) = await One<Counted<T>>(sql, parameters, projection, ct);
        // A full page may have more after it; the page after a short one is empty.
        var next = key is not null && page.Items.Count == paging.PageSize ? key(page.Items[^1]).ToString() : null;
        return new PageOf<T>(page.Items, paging.Page, paging.PageSize, page.Total, asOf, next);
    }

    public async Task<(T Answer, AsOf AsOf)> One<T>(string sql, object parameters, string projection, CancellationToken ct)
    {
        await using var connection = _standby.Value?.CreateConnection();
        // Opened here: Marten takes a closed connection as "open your own" and would read on the primary.
        if (connection is not null) await connection.OpenAsync(ct);
        await using var session = connection is null ? store.QuerySession() : store.QuerySession(Marten.Services.SessionOptions.ForConnection(connection));
        var answer = (await session.AdvancedSql.QueryAsync<T>(sql, ct, parameters))[0];
        return (answer, await freshness.Of(session, ct, projection));
    }

    /// <summary>Whole hours (one decimal) between an instant and now, as analysts read "time missing" and "overdue by".</summary>
    public static string HoursSince(string instant) => $"round((extract(epoch from (:now - {instant})) / 3600)::numeric, 1)";

    /// <summary>The age band analysts see, from the age when last seen.</summary>
    public static string AgeBand(string years = "e.age_when_last_seen") => AgeBands.Sql(years);

    private sealed record Counted<T>(long Total, IReadOnlyList<T> Items);

    private static NpgsqlMultiHostDataSource? StandbyPreferred(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (builder.Host?.Contains(',', StringComparison.Ordinal) != true) return null;
        builder.TargetSessionAttributes = "prefer-standby";
        return new NpgsqlDataSourceBuilder(builder.ConnectionString).BuildMultiHost();
    }

    public async ValueTask DisposeAsync()
    {
        if (_standby is { IsValueCreated: true, Value: { } source }) await source.DisposeAsync();
    }
}
