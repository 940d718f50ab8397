#:project ../src/NationalRegister.LocalPostgres
#:property PublishAot=false
// The baseline for the bulk import: the same logical writes as the register's bulk path, by hand, as fast as PostgreSQL
// takes them. For each line of a seed file: an event row (stream, version, type, the message as jsonb, recorded time)
// and a messageId row with its answer; for each episode a stream row (version) and an episode row (its latest state as
// jsonb). Binary COPY, 1,000 episodes per transaction, WRITERS connections side by side, on a PostgreSQL of its own
// started from the machine's binaries with the embedded default's durable settings (fsync on). Prints one JSON line.
//   dotnet run bench/copy-baseline.cs -- SEED.ndjson [WRITERS=2] [DATA_FOLDER]
using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using NationalRegister.LocalPostgres;
using Npgsql;
using NpgsqlTypes;

var file = args[0];
var writers = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 2;
var folder = args.Length > 2 ? args[2] : Path.Combine(Path.GetTempPath(), $"nr-baseline-{Environment.ProcessId}");
if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
await using var server = await LocalPostgresServer.StartAsync(new LocalPostgresOptions(folder, Database: "baseline"), NullLogger.Instance);
await using (var setup = new NpgsqlConnection(server.ConnectionString))
{
    await setup.OpenAsync();
    await using var create = new NpgsqlCommand("""
        create table streams (id uuid primary key, version bigint not null, type text not null, timestamp timestamptz not null default now());
        create table events (seq_id bigserial primary key, id uuid not null, stream_id uuid not null references streams(id), version bigint not null,
          type text not null, data jsonb not null, timestamp timestamptz not null, causation_id text, unique (stream_id, version));
        create table commands (id uuid primary key, stream_id uuid not null, status int not null, response jsonb not null);
        create table episodes (id uuid primary key, data jsonb not null, version bigint not null);
        """, setup);
    await create.ExecuteNonQueryAsync();
}

// Episodes as the file holds them: consecutive lines of one episode.
var episodes = Channel.CreateBounded<List<(string Type, Guid Stream, JsonElement Message)>>(4096);
var clock = Stopwatch.StartNew();
long events = 0;
var reading = Task.Run(async () =>
{
    List<(string, Guid, JsonElement)> current = [];
    Guid? stream = null;
    foreach (var line in File.ReadLines(file))
    {
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        var message = root.GetProperty("message").Clone();
        var id = root.TryGetProperty("episodeId", out var e) ? e.GetGuid() : message.GetProperty("episodeId").GetGuid();
        if (stream != id && current.Count > 0) { await episodes.Writer.WriteAsync(current); current = []; }
        stream = id;
        current.Add((root.GetProperty("type").GetString()!, id, message));
    }
    if (current.Count > 0) await episodes.Writer.WriteAsync(current);
    episodes.Writer.Complete();
});

await Task.WhenAll(Enumerable.Range(0, writers).Select(_ => Task.Run(async () =>
{
    await using var connection = new NpgsqlConnection(server.ConnectionString);
    await connection.OpenAsync();
    List<List<(string Type, Guid Stream, JsonElement Message)>> batch = [];
    while (await episodes.Reader.WaitToReadAsync())
    {
        while (batch.Count < 1000 && episodes.Reader.TryRead(out var episode)) batch.Add(episode);
        if (batch.Count < 1000 && !reading.IsCompleted) continue;
        await Write(connection, batch);
        Interlocked.Add(ref events, batch.Sum(b => b.Count));
        batch.Clear();
    }
    if (batch.Count > 0) { await Write(connection, batch); Interlocked.Add(ref events, batch.Sum(b => b.Count)); }
})));
await reading;
var seconds = clock.Elapsed.TotalSeconds;
Console.WriteLine(JsonSerializer.Serialize(new { events, seconds = Math.Round(seconds, 1), eventsPerSecond = Math.Round(events / seconds), writers }));
return 0;

static async Task Write(NpgsqlConnection connection, List<List<(string Type, Guid Stream, JsonElement Message)>> batch)
{
    await using var transaction = await connection.BeginTransactionAsync();
    var now = DateTime.UtcNow;
    await using (var streams = await connection.BeginBinaryImportAsync("copy streams (id, version, type, timestamp) from stdin (format binary)"))
    {
        foreach (var episode in batch)
        {
            await streams.StartRowAsync();
            await streams.WriteAsync(episode[0].Stream, NpgsqlDbType.Uuid);
            await streams.WriteAsync((long)episode.Count, NpgsqlDbType.Bigint);
            await streams.WriteAsync("episode", NpgsqlDbType.Text);
            await streams.WriteAsync(now, NpgsqlDbType.TimestampTz);
        }
        await streams.CompleteAsync();
    }
    await using (var rows = await connection.BeginBinaryImportAsync("copy events (id, stream_id, version, type, data, timestamp, causation_id) from stdin (format binary)"))
    {
        foreach (var episode in batch)
            for (var i = 0; i < episode.Count; i++)
            {
                await rows.StartRowAsync();
                await rows.WriteAsync(Guid.NewGuid(), NpgsqlDbType.Uuid);
                await rows.WriteAsync(episode[i].Stream, NpgsqlDbType.Uuid);
                await rows.WriteAsync((long)i + 1, NpgsqlDbType.Bigint);
                await rows.WriteAsync(episode[i].Type, NpgsqlDbType.Text);
                await rows.WriteAsync(episode[i].Message.GetRawText(), NpgsqlDbType.Jsonb);
                await rows.WriteAsync(now, NpgsqlDbType.TimestampTz);
                await rows.WriteAsync(episode[i].Message.GetProperty("messageId").GetString(), NpgsqlDbType.Text);
            }
        await rows.CompleteAsync();
    }
    await using (var commands = await connection.BeginBinaryImportAsync("copy commands (id, stream_id, status, response) from stdin (format binary)"))
    {
        foreach (var episode in batch)
            for (var i = 0; i < episode.Count; i++)
            {
                await commands.StartRowAsync();
                await commands.WriteAsync(episode[i].Message.GetProperty("messageId").GetGuid(), NpgsqlDbType.Uuid);
                await commands.WriteAsync(episode[i].Stream, NpgsqlDbType.Uuid);
                await commands.WriteAsync(i == 0 ? 201 : 200, NpgsqlDbType.Integer);
                await commands.WriteAsync($$"""{"episodeId":"{{episode[i].Stream}}","version":{{i + 1}}}""", NpgsqlDbType.Jsonb);
            }
        await commands.CompleteAsync();
    }
    await using (var rows = await connection.BeginBinaryImportAsync("copy episodes (id, data, version) from stdin (format binary)"))
    {
        foreach (var episode in batch)
        {
            await rows.StartRowAsync();
            await rows.WriteAsync(episode[0].Stream, NpgsqlDbType.Uuid);
            await rows.WriteAsync(episode[0].Message.GetRawText(), NpgsqlDbType.Jsonb);
            await rows.WriteAsync((long)episode.Count, NpgsqlDbType.Bigint);
        }
        await rows.CompleteAsync();
    }
    await transaction.CommitAsync();
}
