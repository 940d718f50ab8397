using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using NationalRegister.Infrastructure.Integrity;
using Npgsql;

namespace NationalRegister.Audit.Exporting;

/// <summary>What a disclosure bundle says of itself: whose history, for whom, and how to know that nothing of it changed.</summary>
/// <param name="Heads">Each stream's last version and link in the bundle: the chain heads the lines must end at.</param>
public sealed record Manifest(
    string Kind, Guid PersonId, IReadOnlyList<Guid> Records, string Recipient, string ExportedBy, DateTimeOffset ExportedAt, long Events,
    long FirstSequence, long LastSequence, IReadOnlyList<BundleHead> Heads);

public sealed record BundleHead(Guid Stream, long Version, string Link);

/// <summary>One event as stored: every field its link vouches for, and the link.</summary>
public sealed record BundleEvent(
    Guid Stream, long Version, long Sequence, Guid Id, string Type, string? Tenant, string RecordedAt, string? User, string? CorrelationId,
    string? CausationId, JsonElement? Headers, JsonElement Data);

/// <summary>
/// A disclosure: a person's history as JSON lines, self-contained. The first line is the manifest, then one line per
/// event in the order recorded, each with its link, then a signature (HMAC-SHA-256 with the chain key) over every line
/// before it. <c>verify-export FILE</c> checks a bundle offline, with the key and no database: an edited, removed or added
/// line fails, naming its line.
/// </summary>
public static class Bundle
{
    public const string Kind = "national-register disclosure";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private const string Rows =
        "select stream_id, version, seq_id, id, type, tenant_id, timestamp, user_name, correlation_id, causation_id, headers::text, data::text " +
        $"from {Infrastructure.EventStore.Schema}.mt_events where stream_id = any(@streams) and type <> 'tombstone' order by seq_id";

    private sealed record SignatureLine(string Signature);

    public static async Task<string> Write(NpgsqlConnection connection, byte[] key, Guid personId, IReadOnlyList<Guid> records, Guid[] streams,
        string recipient, string exportedBy, DateTimeOffset exportedAt, CancellationToken ct)
    {
        var events = new List<BundleEvent>();
        await using (var command = new NpgsqlCommand(Rows, connection))
        {
            command.Parameters.AddWithValue("streams", streams);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                events.Add(new BundleEvent(reader.GetGuid(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetGuid(3), reader.GetString(4),
                    reader.IsDBNull(5) ? null : reader.GetString(5), Instant(reader.GetFieldValue<DateTimeOffset>(6)), Text(reader, 7), Text(reader, 8),
                    Text(reader, 9), Parse(Text(reader, 10)), Parse(Text(reader, 11)) ?? default));
        }

        var heads = events.GroupBy(e => e.Stream).Select(g => g.MaxBy(e => e.Version)!)
            .Select(e => new BundleHead(e.Stream, e.Version, LinkOf(e) ?? "")).OrderBy(h => h.Stream).ToList();
        var manifest = new Manifest(Kind, personId, records, recipient, exportedBy, exportedAt, events.Count,
            events.Count > 0 ? events[0].Sequence : 0, events.Count > 0 ? events[^1].Sequence : 0, heads);
        var body = new StringBuilder().Append(JsonSerializer.Serialize(new { manifest }, Json)).Append('\n');
        foreach (var e in events) body.Append(JsonSerializer.Serialize(e, Json)).Append('\n');
        return body.Append(JsonSerializer.Serialize(new SignatureLine(Sign(key, body.ToString())), Json)).Append('\n').ToString();
    }

    /// <summary>Every problem with the bundle, each naming its line; none when it is exactly what the register exported.</summary>
    public static IReadOnlyList<string> Verify(string text, byte[] key)
    {
        var problems = new List<string>();
        var lines = text.Split('\n');
        if (lines.Length > 0 && lines[^1].Length == 0) lines = lines[..^1];
        if (lines.Length < 2) return ["The file is not a disclosure bundle: it has no manifest and signature."];

        var signed = string.Join("", lines[..^1].Select(l => l + "\n"));
        var signature = TryRead<SignatureLine>(lines[^1])?.Signature;
        if (signature is null || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(signature), Encoding.ASCII.GetBytes(Sign(key, signed))))
            problems.Add($"line {lines.Length}: the signature does not verify: a line was changed, removed or added, or the key is not the register's.");

        var manifest = TryRead<ManifestLine>(lines[0])?.Manifest;
        if (manifest?.Kind != Kind) return [.. problems, "line 1: no manifest of a disclosure bundle."];

        var streams = new Dictionary<Guid, (long Version, string? Link)>();
        long previousSequence = 0;
        for (var i = 1; i < lines.Length - 1; i++)
        {
            var number = i + 1;
            if (TryRead<BundleEvent>(lines[i]) is not { } e)
            {
                problems.Add($"line {number}: not an event.");
                continue;
            }

            var (version, link) = streams.GetValueOrDefault(e.Stream);
            var stored = LinkOf(e);
            if (e.Version != version + 1)
                problems.Add($"line {number}: stream {e.Stream} goes from version {version} to {e.Version}: an event is missing or added before it.");
            else if (stored is null || stored != Links.Next(key, link, Facts(e).Canonical()))
                problems.Add($"line {number}: stream {e.Stream} version {e.Version}: its link does not verify: the line was changed, or forged.");
            if (e.Sequence <= previousSequence) problems.Add($"line {number}: out of the order recorded (sequence {e.Sequence}).");
            streams[e.Stream] = (e.Version, stored);
            previousSequence = e.Sequence;
        }

        if (lines.Length - 2 != manifest.Events)
            problems.Add($"line {lines.Length}: the bundle holds {lines.Length - 2} events; its manifest says {manifest.Events}.");
        foreach (var head in manifest.Heads)
            if (!streams.TryGetValue(head.Stream, out var end) || end.Version != head.Version || end.Link != head.Link)
                problems.Add($"line 1: stream {head.Stream} should end at version {head.Version}; the lines end at {(streams.TryGetValue(head.Stream, out var e) ? e.Version : 0)}.");
        return problems;
    }

    private sealed record ManifestLine(Manifest Manifest);

    private static ChainedEvent Facts(BundleEvent e) => new(e.Stream, e.Version, e.Id, e.Type, e.Tenant,
        DateTimeOffset.ParseExact(e.RecordedAt, "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
        e.User, e.CorrelationId, e.CausationId, e.Headers, e.Data);

    private static string? LinkOf(BundleEvent e) =>
        e.Headers is { ValueKind: JsonValueKind.Object } h && h.TryGetProperty(Links.Header, out var l) ? l.GetString() : null;

    private static string Instant(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    private static string Sign(byte[] key, string signed) => Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(signed)));

    private static T? TryRead<T>(string line) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(line, Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Text(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static JsonElement? Parse(string? text)
    {
        if (text is null) return null;
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }
}
