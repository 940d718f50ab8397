#:sdk Microsoft.NET.Sdk.Web
#:property PublishAot=false
#:package Npgsql
// The live-ingest baseline (issue #12): a hand-written minimal API with raw Npgsql doing the register's logical writes,
// one transaction per command: record the messageId with its answer (a replay gets it back), check and bump the stream
// version (the row locked), insert the event row, upsert the episode row. It takes the bodies bench/report-missing.lua
// sends (reports and sightings). It checks no token and no rule: whatever the register spends on those is its own.
//   dotnet run bench/raw-baseline.cs -- "CONNECTION STRING" --urls http://127.0.0.1:5191
using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;

var builder = WebApplication.CreateSlimBuilder(args[1..]);
builder.Logging.ClearProviders();
var source = new NpgsqlDataSourceBuilder(args[0]) { ConnectionStringBuilder = { MaxPoolSize = 40 } }.Build();
await using (var setup = source.CreateCommand("""
    create schema if not exists raw;
    drop table if exists raw.commands, raw.events, raw.episodes, raw.streams;
    create table raw.streams (id uuid primary key, version bigint not null);
    create table raw.events (seq_id bigserial primary key, stream_id uuid not null references raw.streams(id), version bigint not null,
      type text not null, data jsonb not null, timestamp timestamptz not null default now(), causation_id text, unique (stream_id, version));
    create table raw.commands (agency text not null, message_id uuid not null, status int not null, response jsonb not null,
      primary key (agency, message_id));
    create table raw.episodes (id uuid primary key, data jsonb not null, version bigint not null);
    """))
    await setup.ExecuteNonQueryAsync();

var app = builder.Build();
app.MapPost("/api/episodes", async (HttpRequest request) =>
{
    var body = await JsonNode.ParseAsync(request.Body) ?? throw new BadHttpRequestException("no body");
    var messageId = body["messageId"]!.GetValue<Guid>();
    var episodeId = body["episodeId"]?.GetValue<Guid>() ?? Guid.NewGuid();
    var answer = new JsonObject { ["episodeId"] = episodeId, ["version"] = 1 }.ToJsonString();
    await using var connection = await source.OpenConnectionAsync();
    await using var transaction = await connection.BeginTransactionAsync();
    if (await Replay(connection, messageId) is { } earlier) return Results.Content(earlier, "application/json", statusCode: 201);
    await Execute(connection, "insert into raw.commands values ('GMP', $1, 201, $2::jsonb)", messageId, answer);
    await Execute(connection, "insert into raw.streams values ($1, 1)", episodeId);
    await Execute(connection, "insert into raw.events (stream_id, version, type, data, causation_id) values ($1, 1, 'missing_reported', $2::jsonb, $3)",
        episodeId, body.ToJsonString(), messageId.ToString());
    await Execute(connection, "insert into raw.episodes values ($1, $2::jsonb, 1)", episodeId, body.ToJsonString());
    await transaction.CommitAsync();
    return Results.Content(answer, "application/json", statusCode: 201);
});
app.MapPost("/api/episodes/{episodeId:guid}/sightings", async (Guid episodeId, HttpRequest request) =>
{
    var body = await JsonNode.ParseAsync(request.Body) ?? throw new BadHttpRequestException("no body");
    var messageId = body["messageId"]!.GetValue<Guid>();
    await using var connection = await source.OpenConnectionAsync();
    await using var transaction = await connection.BeginTransactionAsync();
    if (await Replay(connection, messageId) is { } earlier) return Results.Content(earlier, "application/json");
    await using var locked = new NpgsqlCommand("select version from raw.streams where id = $1 for update", connection) { Parameters = { new() { Value = episodeId } } };
    if (await locked.ExecuteScalarAsync() is not long version) return Results.NotFound();
    if (body["expectedVersion"]?.GetValue<long>() is { } expected && expected != version) return Results.Conflict();
    var answer = new JsonObject { ["episodeId"] = episodeId, ["version"] = version + 1 }.ToJsonString();
    await Execute(connection, "insert into raw.commands values ('GMP', $1, 200, $2::jsonb)", messageId, answer);
    await Execute(connection, "update raw.streams set version = $2 where id = $1", episodeId, version + 1);
    await Execute(connection, "insert into raw.events (stream_id, version, type, data, causation_id) values ($1, $2, 'sighting_recorded', $3::jsonb, $4)",
        episodeId, version + 1, body.ToJsonString(), messageId.ToString());
    await Execute(connection, "update raw.episodes set data = jsonb_set(data, '{sightings}', to_jsonb(coalesce((data->>'sightings')::int, 0) + 1)), version = $2 where id = $1",
        episodeId, version + 1);
    await transaction.CommitAsync();
    return Results.Content(answer, "application/json");
});
app.Run();

static async Task<string?> Replay(NpgsqlConnection connection, Guid messageId)
{
    await using var command = new NpgsqlCommand("select response::text from raw.commands where agency = 'GMP' and message_id = $1", connection)
    {
        Parameters = { new() { Value = messageId } },
    };
    return await command.ExecuteScalarAsync() as string;
}

static async Task Execute(NpgsqlConnection connection, string sql, params object[] values)
{
    await using var command = new NpgsqlCommand(sql, connection);
    foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value });
    await command.ExecuteNonQueryAsync();
}
