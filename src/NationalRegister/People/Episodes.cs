using Marten;
using NationalRegister.Episodes;
using NationalRegister.Infrastructure;

namespace NationalRegister.People;

/// <summary>A person's episodes: as they stand now, or as the register knew them at a moment (for auditors).</summary>
public static class PersonEpisodes
{
    // Every episode ever attributed to one of the records: reported under it, or relinked to or from it.
    private const string EverOf =
        $"select distinct stream_id from {EventStore.Schema}.mt_events where (type = 'missing_reported' and (data->>'personId')::uuid = any(:records)) " +
        "or (type = 'episode_relinked' and ((data->>'toPersonId')::uuid = any(:records) or (data->>'fromPersonId')::uuid = any(:records)))";

    public static async Task<IReadOnlyList<Episode>> Now(IQuerySession session, IReadOnlyList<Guid> records, CancellationToken ct)
    {
        Guid[] ids = [.. records];
        return await session.Query<Episode>().Where(e => ids.Contains(e.PersonId)).ToListAsync(ct);
    }

    /// <summary>Every episode ever attributed to the records, whether or not it still is (for the auditor's history).</summary>
    public static async Task<IReadOnlyList<Guid>> Ever(IQuerySession session, IReadOnlyList<Guid> records, CancellationToken ct) =>
        await session.AdvancedSql.QueryAsync<Guid>(EverOf, ct, new { records = records.ToArray() });

    /// <summary>
    /// Each episode as known at <paramref name="asOf"/> (its events recorded by then, replayed: Marten's AggregateStreamAsync),
    /// keeping those that then belonged to one of the records.
    /// </summary>
    public static async Task<IReadOnlyList<Episode>> AsOf(IQuerySession session, IReadOnlyList<Guid> records, DateTimeOffset asOf,
        CancellationToken ct)
    {
        var episodes = new List<Episode>();
        foreach (var id in await Ever(session, records, ct))
            if (await session.Events.AggregateStreamAsync<Episode>(id, timestamp: asOf, token: ct) is { } known && records.Contains(known.PersonId))
                episodes.Add(known);
        return episodes;
    }
}
