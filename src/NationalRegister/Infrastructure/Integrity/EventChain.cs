using System.Collections.Concurrent;
using System.Text.Json;
using JasperFx.Events;
using Marten;
using Marten.Services;

namespace NationalRegister.Infrastructure.Integrity;

/// <summary>
/// Links every event to the one before it in its stream, in the transaction that appends it, on every path that appends
/// through a Marten session (commands, handlers, the command line). The recorded time is the database's: the event store
/// appends in Marten's Quick mode, which stamps each event with the transaction's now(), and the link is computed over
/// that same now(), read in the same transaction, so no application clock and no code path can backdate an event.
/// The link an append chains to is usually the one this process wrote last on that stream, so committed heads are kept
/// in memory and only a stream whose head is not known (another node wrote it, or it was not touched since start-up)
/// is looked up; the cost of a chained append is then one small query for now() (bench/write-path.sh).
/// </summary>
public sealed class EventChain(ChainKey key) : DocumentSessionListenerBase
{
    // A head is about 150 bytes; past this many streams the cache starts again rather than grow without bound.
    private const int MostHeads = 200_000;
    private readonly ConcurrentDictionary<Guid, (long Version, string Link)> _heads = new();

    private const string Now = "select jsonb_build_object('now', now(), 'links', '{}'::jsonb)";
    private const string Heads =
        "select jsonb_build_object('now', now(), 'links', coalesce((select jsonb_object_agg(e.stream_id::text || '/' || e.version, " +
        $"e.headers->>'{Links.Header}') from {EventStore.Schema}.mt_events e join unnest(:streams, :versions) as h(stream_id, version) " +
        "on e.stream_id = h.stream_id and e.version = h.version), '{}'::jsonb))";

    private sealed record Known(DateTimeOffset Now, Dictionary<string, string?> Links);

    public override async Task BeforeSaveChangesAsync(IDocumentSession session, CancellationToken token)
    {
        var streams = session.PendingChanges.Streams().Where(s => s.Events.Count > 0).ToList();
        if (streams.Count == 0) return;
        var appends = streams.Where(s => s.ActionType == StreamActionType.Append).ToList();
        if (appends.FirstOrDefault(s => s.ExpectedVersionOnServer is null) is { } unknown)
            throw new InvalidOperationException(
                $"Stream {unknown.Id} is appended to without its version: every append must load the stream first (FetchForWriting, " +
                "[WriteAggregate]) so its events can be linked to the one before.");

        // now() is the transaction's start: read here, it is the very time the append will record.
        await session.BeginTransactionAsync(token);
        var unlinked = appends.Where(s => !_heads.TryGetValue(s.Id, out var head) || head.Version != s.ExpectedVersionOnServer).ToList();
        var known = (unlinked.Count == 0
            ? await session.AdvancedSql.QueryAsync<Known>(Now, token)
            : await session.AdvancedSql.QueryAsync<Known>(Heads, token,
                new { streams = unlinked.Select(s => s.Id).ToArray(), versions = unlinked.Select(s => s.ExpectedVersionOnServer!.Value).ToArray() }))[0];
        var serializer = session.DocumentStore.Options.Serializer();
        foreach (var stream in streams)
        {
            var version = stream.ActionType == StreamActionType.Start ? 0 : stream.ExpectedVersionOnServer!.Value;
            var previous = version == 0 ? null
                : _heads.TryGetValue(stream.Id, out var head) && head.Version == version ? head.Link
                : known.Links.GetValueOrDefault($"{stream.Id}/{version}");
            foreach (var e in stream.Events)
            {
                version++;
                // Quick appends to a stream record now() themselves; a new stream's first events are written with the
                // event's own timestamp, so that too is the transaction's now(), whatever the application had set.
                e.Timestamp = known.Now;
                var headers = new Dictionary<string, object>(e.Headers ?? []);
                headers.Remove(Links.Header);
                var facts = new ChainedEvent(stream.Id, version, e.Id, e.EventTypeName, e.TenantId, known.Now, e.UserName, e.CorrelationId,
                    e.CausationId, Parse(serializer.ToJson(headers)), Parse(serializer.ToJson(e.Data)));
                previous = Links.Next(key.Bytes, previous, facts.Canonical());
                headers[Links.Header] = previous;
                e.Headers = headers;
            }
        }
    }

    // Only a committed link may be chained to: a rolled-back append never reaches here.
    public override Task AfterCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token)
    {
        foreach (var stream in commit.GetStreams().Where(s => s.Events.Count > 0))
        {
            var version = (stream.ActionType == StreamActionType.Start ? 0 : stream.ExpectedVersionOnServer ?? -1) + stream.Events.Count;
            if (version <= 0 || stream.Events[^1].Headers?.GetValueOrDefault(Links.Header) is not string link) continue;
            if (_heads.Count >= MostHeads) _heads.Clear();
            _heads[stream.Id] = (version, link);
        }
        return Task.CompletedTask;
    }

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
