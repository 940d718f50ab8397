using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Npgsql;

namespace NationalRegister.Infrastructure.Integrity;

/// <summary>What the checkpoints anchor: each stream's head and each access chain's, and anything wrong with the files.</summary>
public sealed record Anchors(IReadOnlyList<string> Problems, Dictionary<Guid, AnchoredHead> Streams, Dictionary<Guid, AnchoredChain> AccessChains,
    long ToSequence);

/// <summary>What a checkpoint file says about itself.</summary>
public sealed record CheckpointHeader(string Kind, DateTimeOffset CreatedAt, long FromSequence, long ToSequence, string? Previous, long Heads);

/// <summary>
/// Stream heads anchored outside the database: each checkpoint file (NDJSON) holds, for every stream appended to since the
/// one before, its last version and link up to a global sequence the async daemon's high-water mark says is complete,
/// then a root: an HMAC, with the chain key, over every line before it. Each names the SHA-256 of the file before, so a
/// removed or altered checkpoint is as visible as an altered row. An operator ships the folder elsewhere (write-once
/// storage, another organisation): deleting a stream's last events, or the whole stream, is then caught against it.
/// </summary>
public sealed class CheckpointFolder(string path, ChainKey key)
{
    public const string Kind = "national-register checkpoint";
    private const string Prefix = "checkpoint-";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private const string HighWaterMark =
        $"select coalesce((select last_seq_id from {EventStore.Schema}.mt_event_progression where name = 'HighWaterMark'), 0)";

    // Every stream appended to in the range, at its last version within it: streamed in stream order, so files sort alike.
    private const string Heads =
        $"select distinct on (e.stream_id) e.stream_id, e.version, e.headers->>'{Links.Header}' from {EventStore.Schema}.mt_events e " +
        $"where e.stream_id in (select stream_id from {EventStore.Schema}.mt_events where seq_id > @from and seq_id <= @to) " +
        "and e.seq_id <= @to and e.type <> 'tombstone' order by e.stream_id, e.version desc";

    public string Path => path;

    private sealed record HeadLine(Guid? Stream, long Version, string? Link, Guid? AccessChain = null, long Position = 0);

    private sealed record RootLine(string Root);

    /// <summary>Writes the next checkpoint (nothing when no event was committed since the last), and says which file.</summary>
    public async Task<string?> Write(NpgsqlConnection connection, TimeProvider clock, CancellationToken ct)
    {
        Directory.CreateDirectory(path);
        using var turn = Turn();
        var last = Files().LastOrDefault();
        var lastHeader = last is null ? null : ReadHeader(last);
        long to;
        await using (var command = new NpgsqlCommand(HighWaterMark, connection)) to = (long)(await command.ExecuteScalarAsync(ct))!;
        var from = Math.Min(lastHeader?.ToSequence ?? 0, to);
        var lines = new List<string>();
        // Every access chain's head, each time (a chain per register process: few), then the streams appended to since the last.
        await using (var command = new NpgsqlCommand(AccessChains.Heads, connection))
        await using (var reader = await command.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct))
                lines.Add(JsonSerializer.Serialize(new HeadLine(null, 0, reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetGuid(0), reader.GetInt64(1)), Json));
        var anchoredChains = last is null ? [] : Read(last).AccessChains;
        var accessUnchanged = anchoredChains.Count == lines.Count && lines.Select(line => JsonSerializer.Deserialize<HeadLine>(line, Json)!)
            .All(head => anchoredChains.TryGetValue(head.AccessChain!.Value, out var was) && was.Position == head.Position);
        if (to <= from && accessUnchanged) return null;

        await using (var command = new NpgsqlCommand(Heads, connection) { CommandTimeout = 0 })
        {
            command.Parameters.AddWithValue("from", from);
            command.Parameters.AddWithValue("to", to);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                lines.Add(JsonSerializer.Serialize(new HeadLine(reader.GetGuid(0), reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetString(2)), Json));
        }

        var header = new CheckpointHeader(Kind, clock.GetUtcNow(), from, to, last is null ? null : Sha256Of(last), lines.Count);
        var body = new StringBuilder().Append(JsonSerializer.Serialize(header, Json)).Append('\n');
        foreach (var line in lines) body.Append(line).Append('\n');
        body.Append(JsonSerializer.Serialize(new RootLine(Root(body.ToString())), Json)).Append('\n');
        var file = System.IO.Path.Combine(path, $"{Prefix}{to:D15}.ndjson");
        await File.WriteAllTextAsync(file + ".tmp", body.ToString(), ct);
        File.Move(file + ".tmp", file, overwrite: false);
        return file;
    }

    /// <summary>
    /// Every checkpoint in order, each checked (its root, and the file before it): the problems found, and the latest head
    /// of each stream anchored (held in memory: about 150 bytes a stream).
    /// </summary>
    public Anchors Read() => Read(Files().ToArray());

    private Anchors Read(params string[] files)
    {
        var problems = new List<string>();
        var heads = new Dictionary<Guid, AnchoredHead>();
        var chains = new Dictionary<Guid, AnchoredChain>();
        string? previous = files.Length == 1 ? ReadHeader(files[0]).Previous : null;
        long toSequence = 0;
        foreach (var file in files)
        {
            var text = File.ReadAllText(file);
            var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var name = System.IO.Path.GetFileName(file);
            var root = lines.Length > 1 ? JsonSerializer.Deserialize<RootLine>(lines[^1], Json)?.Root : null;
            var signed = string.Join("", lines[..^1].Select(l => l + "\n"));
            if (root is null || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(root), Encoding.ASCII.GetBytes(Root(signed))))
            {
                problems.Add($"{name}: its root does not verify: the checkpoint was altered, or written without the chain key.");
                continue;
            }

            var header = JsonSerializer.Deserialize<CheckpointHeader>(lines[0], Json)!;
            if (header.Previous != previous)
                problems.Add($"{name}: it follows a checkpoint that is not in the folder (one was removed or replaced).");
            foreach (var line in lines[1..^1])
            {
                var head = JsonSerializer.Deserialize<HeadLine>(line, Json)!;
                if (head.Stream is { } stream) heads[stream] = new AnchoredHead(head.Version, head.Link ?? "");
                if (head.AccessChain is { } chain) chains[chain] = new AnchoredChain(head.Position, head.Link ?? "");
            }

            (previous, toSequence) = (Sha256Of(file), header.ToSequence);
        }

        return new Anchors(problems, heads, chains, toSequence);
    }

    private IEnumerable<string> Files() => Directory.Exists(path)
        ? Directory.GetFiles(path, $"{Prefix}*.ndjson").Order(StringComparer.Ordinal)
        : [];

    private static CheckpointHeader ReadHeader(string file) =>
        JsonSerializer.Deserialize<CheckpointHeader>(File.ReadLines(file).First(), Json)!;

    private string Root(string signed) => Convert.ToBase64String(HMACSHA256.HashData(key.Bytes, Encoding.UTF8.GetBytes(signed)));

    private static string Sha256Of(string file) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file)));

    /// <summary>One writer at a time per folder, whichever node or command: an exclusive lock file beside the checkpoints.</summary>
    private FileStream Turn() => new(System.IO.Path.Combine(path, ".lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
}
