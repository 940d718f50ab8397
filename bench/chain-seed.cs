#:project ../src/NationalRegister
#:property PublishAot=false
// Writes STREAMS synthetic streams of 6 chained events each straight into a register database (binary COPY), linked with
// the register's own code and key, so `verify` can be timed on a few hundred thousand events. For bench/verify.sh only.
//   dotnet run bench/chain-seed.cs -- "CONNECTION STRING" STREAMS [CHAIN KEY]
using System.Text;
using System.Text.Json;
using NationalRegister.Infrastructure.Integrity;
using Npgsql;
using NpgsqlTypes;

var (connectionString, streams) = (args[0], int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture));
var key = Encoding.UTF8.GetBytes(args.Length > 2 ? args[2] : ChainSettings.DevelopmentKey);
await using var connection = new NpgsqlConnection(connectionString);
await connection.OpenAsync();
long sequence;
await using (var next = new NpgsqlCommand("select nextval('register.mt_events_sequence')", connection)) sequence = (long)(await next.ExecuteScalarAsync())!;
var now = DateTimeOffset.UtcNow;
now = now.AddTicks(-(now.Ticks % 10));
await using (var writer = await connection.BeginBinaryImportAsync(
    "copy register.mt_streams (id, type, version, timestamp, created, tenant_id) from stdin (format binary)"))
{
    for (var s = 0; s < streams; s++)
    {
        await writer.StartRowAsync();
        await writer.WriteAsync(Guid.CreateVersion7(), NpgsqlDbType.Uuid);
        await writer.WriteAsync("episode", NpgsqlDbType.Varchar);
        await writer.WriteAsync(6L, NpgsqlDbType.Bigint);
        await writer.WriteAsync(now, NpgsqlDbType.TimestampTz);
        await writer.WriteAsync(now, NpgsqlDbType.TimestampTz);
        await writer.WriteAsync("*DEFAULT*", NpgsqlDbType.Varchar);
    }

    await writer.CompleteAsync();
}

var ids = new List<Guid>();
await using (var read = new NpgsqlCommand("select id from register.mt_streams where type = 'episode' and created = @now", connection))
{
    read.Parameters.AddWithValue("now", now);
    await using var reader = await read.ExecuteReaderAsync();
    while (await reader.ReadAsync()) ids.Add(reader.GetGuid(0));
}

await using (var writer = await connection.BeginBinaryImportAsync(
    "copy register.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, correlation_id, causation_id, " +
    "headers, user_name) from stdin (format binary)"))
{
    foreach (var stream in ids)
    {
        string? link = null;
        for (var version = 1L; version <= 6; version++)
        {
            var id = Guid.NewGuid();
            var data = JsonSerializer.SerializeToElement(new { seenAt = now.AddHours(-version), location = "Synthetic", source = "Seed" });
            var headers = JsonSerializer.SerializeToElement(new { agency = "GMP", role = "force" });
            link = Links.Next(key, link, new ChainedEvent(stream, version, id, "sighting_recorded", "*DEFAULT*", now, "Seed", "seed", "seed",
                headers, data).Canonical());
            await writer.StartRowAsync();
            await writer.WriteAsync(sequence++, NpgsqlDbType.Bigint);
            await writer.WriteAsync(id, NpgsqlDbType.Uuid);
            await writer.WriteAsync(stream, NpgsqlDbType.Uuid);
            await writer.WriteAsync(version, NpgsqlDbType.Bigint);
            await writer.WriteAsync(data.GetRawText(), NpgsqlDbType.Jsonb);
            await writer.WriteAsync("sighting_recorded", NpgsqlDbType.Varchar);
            await writer.WriteAsync(now, NpgsqlDbType.TimestampTz);
            await writer.WriteAsync("*DEFAULT*", NpgsqlDbType.Varchar);
            await writer.WriteAsync("NationalRegister.Episodes.SightingRecorded, NationalRegister", NpgsqlDbType.Varchar);
            await writer.WriteAsync("seed", NpgsqlDbType.Varchar);
            await writer.WriteAsync("seed", NpgsqlDbType.Varchar);
            await writer.WriteAsync($"{{\"agency\":\"GMP\",\"role\":\"force\",\"link\":\"{link}\"}}", NpgsqlDbType.Jsonb);
            await writer.WriteAsync("Seed", NpgsqlDbType.Varchar);
        }
    }

    await writer.CompleteAsync();
}

await using (var set = new NpgsqlCommand($"select setval('register.mt_events_sequence', {sequence})", connection)) await set.ExecuteScalarAsync();
Console.WriteLine($"Seeded {ids.Count} streams, {ids.Count * 6} chained events.");
