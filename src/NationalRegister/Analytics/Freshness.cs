using JasperFx.Events.Projections;
using Marten;

namespace NationalRegister.Analytics;

/// <summary>How fresh a view is: the last event it reflects, by sequence, and when that event was recorded.</summary>
public sealed record AsOf(long Sequence, DateTimeOffset? At);

/// <summary>The async daemon's progress on the projections behind the views (two indexed lookups per projection).</summary>
public sealed class Freshness(IDocumentStore store)
{
    public const string Episodes = nameof(EpisodeRecord);
    public const string People = nameof(PersonRecord);

    /// <summary>The least fresh of the projections a view reads.</summary>
    public async Task<AsOf> Of(IQuerySession session, CancellationToken ct, params string[] projections)
    {
        var sequence = long.MaxValue;
        foreach (var projection in projections)
            sequence = Math.Min(sequence, await store.Advanced.ProjectionProgressFor(new ShardName(projection), token: ct));
        if (sequence is 0 or long.MaxValue) return new AsOf(0, null);
        var at = await session.Events.QueryAllRawEvents().Where(e => e.Sequence == sequence).Select(e => e.Timestamp).ToListAsync(ct);
        return new AsOf(sequence, at.Count > 0 ? at[0] : null);
    }
}
