using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;
using Npgsql;

namespace NationalRegister.Infrastructure.Integrity;

/// <summary>One place where the stored history is not what was recorded.</summary>
/// <param name="Problem">changed, inserted, missing, reordered, unchained, head altered, head behind the checkpoint, stream deleted.</param>
public sealed record ChainBreak(Guid StreamId, long? Version, long? Sequence, string Problem, string Detail);

/// <summary>A stream's last version and link as a checkpoint anchored them outside the database.</summary>
public sealed record AnchoredHead(long Version, string Link);

public sealed record ChainReport(long Events, long Streams, IReadOnlyList<ChainBreak> Breaks, TimeSpan Took)
{
    public bool Intact => Breaks.Count == 0;
    public double EventsPerSecond => Took.TotalSeconds > 0 ? Events / Took.TotalSeconds : Events;
}

/// <summary>
/// Recomputes every event's link from the rows as stored, streaming them in stream and version order (memory stays flat
/// whatever the size of the register), and compares each stream's head with the stream table and with the latest
/// checkpoint. Each break is reported once where it is: the chain goes on from the stored link, so one edited row is one
/// break, not every row after it.
/// </summary>
public sealed class ChainVerifier(ChainKey key)
{
    private const string Rows =
        "select e.stream_id, e.version, e.seq_id, e.id, e.type, e.tenant_id, e.timestamp, e.user_name, e.correlation_id, e.causation_id, " +
        $"e.headers::text, e.data::text, s.version from {EventStore.Schema}.mt_events e left join {EventStore.Schema}.mt_streams s on s.id = e.stream_id " +
        "where e.type <> 'tombstone' and (@streams::uuid[] is null or e.stream_id = any(@streams)) order by e.stream_id, e.version";

    private const string StreamsPresent = $"select id from {EventStore.Schema}.mt_streams where id = any(@streams)";

    /// <param name="streams">Only these streams (a person's); null for the whole register.</param>
    /// <param name="anchored">The latest checkpoint's heads, to catch deleted last events and deleted streams.</param>
    /// <param name="progress">Called every 100,000 events with the count so far.</param>
    public async Task<ChainReport> Verify(NpgsqlConnection connection, Guid[]? streams, IReadOnlyDictionary<Guid, AnchoredHead>? anchored,
        Action<long>? progress, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var breaks = new List<ChainBreak>();
        var seen = new HashSet<Guid>();
        long events = 0;
        // The database read on one thread, the hashing on another: on two cores, each keeps the other busy.
        var rows = Channel.CreateBounded<Row>(new BoundedChannelOptions(10_000) { SingleReader = true, SingleWriter = true });
        var reading = Read(connection, streams, rows.Writer, ct);
        var stream = new StreamCheck(Guid.Empty, null, null);
        await foreach (var row in rows.Reader.ReadAllAsync(ct))
        {
            if (row.Stream != stream.Id)
            {
                stream.End(breaks);
                stream = new StreamCheck(row.Stream, row.Head, anchored?.GetValueOrDefault(row.Stream));
                seen.Add(row.Stream);
            }

            stream.Next(new ChainedEvent(row.Stream, row.Version, row.Id, row.Type, row.Tenant, row.At, row.User, row.CorrelationId, row.CausationId,
                Json(row.Headers), Json(row.Data) ?? default), row.Sequence, key.Bytes, breaks);
            if (++events % 100_000 == 0) progress?.Invoke(events);
        }

        await reading;
        stream.End(breaks);

        if (anchored is not null)
        {
            var missing = anchored.Keys.Where(s => !seen.Contains(s) && (streams is null || streams.Contains(s))).ToArray();
            if (missing.Length > 0)
            {
                // Events gone; a stream row may remain (or not): either way the anchored history is not there.
                await using var command = new NpgsqlCommand(StreamsPresent, connection);
                command.Parameters.AddWithValue("streams", missing);
                var present = new HashSet<Guid>();
                await using (var reader = await command.ExecuteReaderAsync(ct))
                    while (await reader.ReadAsync(ct)) present.Add(reader.GetGuid(0));
                breaks.AddRange(missing.Select(s => new ChainBreak(s, anchored[s].Version, null, "stream deleted",
                    $"The checkpoint holds this stream at version {anchored[s].Version}; the database has {(present.Contains(s) ? "its stream row but no events" : "no trace of it")}.")));
            }
        }

        return new ChainReport(events, seen.Count, breaks, clock.Elapsed);
    }

    private sealed record Row(
        Guid Stream, long Version, long Sequence, Guid Id, string Type, string? Tenant, DateTimeOffset At, string? User, string? CorrelationId,
        string? CausationId, string? Headers, string? Data, long? Head);

    private static async Task Read(NpgsqlConnection connection, Guid[]? streams, ChannelWriter<Row> rows, CancellationToken ct)
    {
        try
        {
            await using var command = new NpgsqlCommand(Rows, connection) { CommandTimeout = 0 };
            command.Parameters.AddWithValue("streams", NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Uuid, (object?)streams ?? DBNull.Value);
            await using var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, ct);
            // Sequential access: every column read once, in order.
            while (await reader.ReadAsync(ct))
                await rows.WriteAsync(new Row(reader.GetGuid(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetGuid(3), reader.GetString(4),
                    Text(reader, 5), reader.GetFieldValue<DateTimeOffset>(6), Text(reader, 7), Text(reader, 8), Text(reader, 9), Text(reader, 10),
                    Text(reader, 11), reader.IsDBNull(12) ? null : reader.GetInt64(12)), ct);
            rows.Complete();
        }
        catch (Exception e)
        {
            rows.Complete(e);
            throw;
        }
    }

    private static string? Text(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static JsonElement? Json(string? text)
    {
        if (text is null) return null;
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    /// <summary>One stream's walk: versions in order from 1, sequences rising, each link from the one before.</summary>
    private sealed class StreamCheck(Guid id, long? head, AnchoredHead? anchor)
    {
        private long _version;
        private long _sequence;
        private string? _link;

        public Guid Id => id;

        public void Next(ChainedEvent row, long sequence, byte[] key, List<ChainBreak> breaks)
        {
            // After a gap the link before is unknown: the missing versions are the break, not the event after them.
            var gap = row.Version != _version + 1;
            if (gap)
                breaks.Add(new ChainBreak(id, _version + 1, null, "missing",
                    row.Version > _version + 1
                        ? $"Versions {_version + 1} to {row.Version - 1} are not there (the next stored is {row.Version})."
                        : $"Version {row.Version} appears again."));
            if (sequence < _sequence)
                breaks.Add(new ChainBreak(id, row.Version, sequence, "reordered",
                    $"Version {row.Version} has sequence {sequence}, before version {_version}'s {_sequence}."));

            var stored = row.Headers is { ValueKind: JsonValueKind.Object } h && h.TryGetProperty(Links.Header, out var l) ? l.GetString() : null;
            if (stored is null)
                breaks.Add(new ChainBreak(id, row.Version, sequence, "unchained", "The event carries no link: it was not written by the register."));
            else if (!gap && stored != Links.Next(key, _link, row.Canonical()))
                breaks.Add(new ChainBreak(id, row.Version, sequence, anchor is not null && row.Version > anchor.Version ? "inserted" : "changed",
                    anchor is not null && row.Version > anchor.Version
                        ? "The event's link does not verify, and it stands after the last checkpoint: forged, or changed since."
                        : "The event's link does not verify: its data or metadata changed after it was recorded (or it was forged)."));
            if (anchor is not null && row.Version == anchor.Version && stored != anchor.Link)
                breaks.Add(new ChainBreak(id, row.Version, sequence, "changed", "The event's link is not the one the checkpoint anchored."));

            (_version, _sequence, _link) = (row.Version, sequence, stored);
        }

        public void End(List<ChainBreak> breaks)
        {
            if (id == Guid.Empty) return;
            if (head is { } version && version != _version)
                breaks.Add(new ChainBreak(id, _version, null, "head altered",
                    $"The stream table says version {version}; its events end at {_version}."));
            if (anchor is not null && anchor.Version > _version)
                breaks.Add(new ChainBreak(id, _version, null, "head behind the checkpoint",
                    $"The checkpoint holds this stream at version {anchor.Version}; its events end at {_version}: the last ones were deleted."));
        }
    }
}
