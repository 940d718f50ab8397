using System.Collections.Concurrent;
using Marten;
using NationalRegister.Infrastructure;

namespace NationalRegister.Analytics;

/// <summary>How fresh a view is: the last event it reflects, by sequence, and when that event was recorded.</summary>
public sealed record AsOf(long Sequence, DateTimeOffset? At);

/// <summary>
/// The async daemon's progress on the projections behind the views: one statement, kept for half a second so a busy view
/// pays it about twice a second rather than per request. A kept answer only ever understates how fresh a view is.
/// </summary>
public sealed class Freshness
{
    public const string Episodes = "NationalEpisodes";
    public const string People = nameof(PersonRecord);

    private static readonly TimeSpan Kept = TimeSpan.FromMilliseconds(500);
    private readonly ConcurrentDictionary<string, (AsOf AsOf, long At)> _kept = new();

    // The least fresh of the projections named, and the time its event was recorded (0 until every one of them has run).
    internal static readonly string Sql =
        $"""
         select jsonb_build_object('sequence', least.sequence,
           'at', (select e.timestamp from {EventStore.Schema}.mt_events e where e.seq_id = least.sequence))
         from (select case when count(*) = cardinality(:shards) then min(p.last_seq_id) else 0 end as sequence
               from {EventStore.Schema}.mt_event_progression p where p.name = any(:shards)) least
         """;

    public async Task<AsOf> Of(IQuerySession session, CancellationToken ct, params string[] projections)
    {
        var key = string.Join(',', projections);
        if (_kept.TryGetValue(key, out var kept) && Environment.TickCount64 - kept.At < Kept.TotalMilliseconds) return kept.AsOf;
        var shards = projections.Select(p => $"{p}:All").ToArray();
        var asOf = (await session.AdvancedSql.QueryAsync<AsOf>(Sql, ct, new { shards }))[0];
        if (asOf.Sequence == 0) asOf = new AsOf(0, null);
        _kept[key] = (asOf, Environment.TickCount64);
        return asOf;
    }
}
