using System.Buffers;
using System.Diagnostics;
using System.Text.Json;
using Npgsql;

namespace NationalRegister.Infrastructure.Integrity;

/// <summary>An access chain's last position and link, as a checkpoint anchored it.</summary>
public sealed record AnchoredChain(long Position, string Link);

/// <summary>
/// The access log's chains (one per register process, each record linked to the one before it), verified like the
/// events: every position from 1, every link from the one before, every head at or past its checkpoint.
/// </summary>
public sealed class AccessChains(ChainKey key)
{
    /// <summary>Where the access records are: a plain table, out of the event store.</summary>
    public const string Table = $"{EventStore.Schema}.access_log";

    public const string Heads = $"select distinct on (chain) chain, position, record->>'link' from {Table} order by chain, position desc";

    /// <summary>A batch of records, in one statement that writes nothing unless their time is the database's (within two seconds).</summary>
    public const string Insert =
        $"insert into {Table} (chain, position, at, user_name, agency, person_ids, record) " +
        "select t.chain, t.position, @at, t.record->>'user', t.record->>'agency', " +
        "array(select jsonb_array_elements_text(t.record->'personIds')::uuid), t.record from unnest(@chains, @positions, @records) as t(chain, position, record) " +
        "where @at between now() - interval '2 seconds' and now() + interval '2 seconds'";

    // The columns the questions filter on must say what the linked record says.
    private const string Rows =
        $"select chain, position, record::text, user_name is not distinct from record->>'user' and agency is not distinct from record->>'agency' " +
        "and at = (record->>'at')::timestamptz and person_ids = array(select jsonb_array_elements_text(record->'personIds')::uuid) " +
        $"from {Table} order by chain, position";

    /// <summary>A record's canonical bytes: its stored JSON without its own link.</summary>
    public static byte[] Canonical(JsonElement record)
    {
        var output = new ArrayBufferWriter<byte>(512);
        output.Write("{"u8);
        var first = true;
        foreach (var property in record.EnumerateObject().Where(p => p.Name != Links.Header).OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            if (!first) output.Write(","u8);
            first = false;
            CanonicalJson.WriteString(output, property.Name);
            output.Write(":"u8);
            CanonicalJson.Write(output, property.Value);
        }

        output.Write("}"u8);
        return output.WrittenSpan.ToArray();
    }

    public async Task<ChainReport> Verify(NpgsqlConnection connection, IReadOnlyDictionary<Guid, AnchoredChain> anchored, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var breaks = new List<ChainBreak>();
        var seen = new HashSet<Guid>();
        long records = 0, position = 0;
        string? link = null;
        Guid chain = Guid.Empty;
        await using (var command = new NpgsqlCommand(Rows, connection) { CommandTimeout = 0 })
        await using (var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, ct))
            while (await reader.ReadAsync(ct))
            {
                var (id, at, text, consistent) = (reader.GetGuid(0), reader.GetInt64(1), reader.GetString(2), reader.GetBoolean(3));
                if (id != chain)
                {
                    End(chain, position, anchored, breaks);
                    (chain, position, link) = (id, 0, null);
                    seen.Add(id);
                }

                using var record = JsonDocument.Parse(text);
                var stored = record.RootElement.TryGetProperty(Links.Header, out var l) ? l.GetString() : null;
                var gap = at != position + 1;
                if (gap) breaks.Add(new ChainBreak(chain, position + 1, null, "missing", $"Access records {position + 1} to {at - 1} are not there."));
                else if (stored != Links.Next(key.Bytes, link, Canonical(record.RootElement)))
                    breaks.Add(new ChainBreak(chain, at, null, "changed", "The access record's link does not verify: it changed after it was written (or was forged)."));
                else if (!consistent)
                    breaks.Add(new ChainBreak(chain, at, null, "changed", "The access record's columns (user, agency, time, people) no longer say what its record says."));
                (position, link) = (at, stored);
                records++;
            }

        End(chain, position, anchored, breaks);
        breaks.AddRange(anchored.Keys.Where(c => !seen.Contains(c)).Select(c => new ChainBreak(c, anchored[c].Position, null, "chain deleted",
            $"The checkpoint holds this access chain at record {anchored[c].Position}; the database has none of it.")));
        return new ChainReport(records, seen.Count, breaks, clock.Elapsed);
    }

    private static void End(Guid chain, long position, IReadOnlyDictionary<Guid, AnchoredChain> anchored, List<ChainBreak> breaks)
    {
        if (chain != Guid.Empty && anchored.TryGetValue(chain, out var anchor) && anchor.Position > position)
            breaks.Add(new ChainBreak(chain, position, null, "head behind the checkpoint",
                $"The checkpoint holds this access chain at record {anchor.Position}; it ends at {position}: the last records were deleted."));
    }
}
