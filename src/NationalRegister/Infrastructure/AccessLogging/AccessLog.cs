using System.Text.Json;
using System.Threading.Channels;
using Marten;
using System.Text.Json.Serialization;
using NationalRegister.Infrastructure.Postgres;
using Npgsql;
using NpgsqlTypes;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;
using Microsoft.Extensions.Options;
using NationalRegister.Infrastructure.Integrity;

namespace NationalRegister.Infrastructure.AccessLogging;

/// <summary>The "Audit:AccessLog" section. Off only in Development, to measure what logging costs (bench/access-log.sh).</summary>
public sealed class AccessLogSettings
{
    public const string Section = "Audit:AccessLog";

    public bool Enabled { get; set; } = true;

    /// <summary>Writers committing side by side, each extending its own chain.</summary>
    public int Writers { get; set; } = 1;
}

/// <summary>The access log could not be written: the read it was for must not be answered.</summary>
public static class AccessLogSetup
{
    public static WebApplicationBuilder AddAccessLog(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<AccessLogSettings>().BindConfiguration(AccessLogSettings.Section)
            .Validate<IHostEnvironment>((settings, environment) => settings.Enabled || environment.IsDevelopment(),
                "Audit__AccessLog__Enabled=false is for measuring in Development only: the access log is the law (DPA 2018 s62).")
            .ValidateOnStart();
        builder.Services.AddSingleton<AccessLog>();
        return builder;
    }

    /// <summary>
    /// A plain table, out of the event store and the async daemon (a read adds no projection work), with only the indexes its
    /// questions need: each chain in order (the key), who looked at a person (GIN over the person ids), and by time.
    /// </summary>
    public static StoreOptions AddAccessLog(this StoreOptions options)
    {
        var table = new Table(new PostgresqlObjectName(EventStore.Schema, "access_log", SchemaUtils.IdentifierUsage.General));
        table.AddColumn<Guid>("chain").AsPrimaryKey();
        table.AddColumn<long>("position").AsPrimaryKey();
        table.AddColumn("at", "timestamp with time zone").NotNull().AddIndex();
        table.AddColumn("user_name", "character varying");
        table.AddColumn("agency", "character varying");
        table.AddColumn("person_ids", "uuid[]").NotNull().AddIndex(i => i.Method = IndexMethod.gin);
        table.AddColumn("record", "jsonb").NotNull();
        options.Storage.ExtendedSchemaObjects.Add(table);
        return options;
    }
}

public sealed class AccessLogUnavailableException(Exception inner)
    : Exception("The access log could not be written.", inner);

/// <summary>
/// Writes access records, committed before the read they record is answered. Concurrent reads share a transaction (group
/// commit: a writer takes whatever is waiting, links it to its chain, and commits it at once), so logging costs a read one
/// commit's wait, not a commit of its own. A few writers commit side by side, each with a chain of its own that it alone
/// extends (no two writers race for a head); the checkpoints anchor every chain's head.
/// </summary>
public sealed partial class AccessLog(RegisterDatabase database, ChainKey key, IOptions<AccessLogSettings> settings, ILogger<AccessLog> logger)
    : IAsyncDisposable
{
    private const int MaxBatch = 256;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };
    private readonly RegisterDatabase _database = database;
    private readonly ChainKey _key = key;
    private readonly ILogger<AccessLog> _logger = logger;
    private readonly Lock _start = new();
    private Writer[]? _writers;
    private int _next;

    public bool Enabled => settings.Value.Enabled;

    /// <summary>Returns once the record is committed; throws <see cref="AccessLogUnavailableException"/> when it cannot be.</summary>
    public async Task Record(AccessRecord record, CancellationToken ct)
    {
        if (!Enabled) return;
        lock (_start) _writers ??= [.. Enumerable.Range(0, Math.Max(1, settings.Value.Writers)).Select(_ => new Writer(this))];
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await _writers[(Interlocked.Increment(ref _next) & int.MaxValue) % _writers.Length].Pending.Writer.WriteAsync((record, done), ct);
        try
        {
            await done.Task.WaitAsync(Patience, ct);
        }
        catch (TimeoutException e)
        {
            throw new AccessLogUnavailableException(e);
        }
    }

    /// <summary>One writer and its chain: the head lives here, advanced only once a batch is committed.</summary>
    private sealed class Writer
    {
        private readonly AccessLog _log;
        private readonly Guid _chain = Guid.NewGuid();
        private long _position;
        private string? _link;

        public Writer(AccessLog log)
        {
            _log = log;
            Loop = Task.Run(Write, CancellationToken.None);
        }

        public Channel<(AccessRecord Record, TaskCompletionSource Done)> Pending { get; } =
            Channel.CreateUnbounded<(AccessRecord, TaskCompletionSource)>(new UnboundedChannelOptions { SingleReader = true });

        public Task Loop { get; }

        private async Task Write()
        {
            var batch = new List<(AccessRecord Record, TaskCompletionSource Done)>(MaxBatch);
            while (await Pending.Reader.WaitToReadAsync())
            {
                batch.Clear();
                while (batch.Count < MaxBatch && Pending.Reader.TryRead(out var item)) batch.Add(item);
                try
                {
                    await Commit(batch);
                    foreach (var (_, done) in batch) done.TrySetResult();
                }
                catch (Exception e)
                {
                    // Each read waiting on this batch is refused (503): an operator must know at once.
                    LogFailed(_log._logger, batch.Count, e.GetType().Name, e.Message);
                    foreach (var (_, done) in batch) done.TrySetException(new AccessLogUnavailableException(e));
                }
            }
        }

        /// <summary>
        /// One round trip: every record of the batch in one statement, committed on its own. Each record's time is the
        /// register's clock to the microsecond, and the statement writes nothing unless that time is the database's, within
        /// two seconds (so no record is backdated); the link covers it.
        /// </summary>
        private async Task Commit(List<(AccessRecord Record, TaskCompletionSource Done)> batch)
        {
            var now = TimeProvider.System.GetUtcNow();
            var at = now.AddTicks(-(now.Ticks % 10));
            var (position, link) = (_position, _link);
            var chains = new Guid[batch.Count];
            var positions = new long[batch.Count];
            var records = new string[batch.Count];
            for (var i = 0; i < batch.Count; i++)
            {
                var chained = batch[i].Record with { Chain = _chain, Position = ++position, At = at, Link = null };
                using (var document = JsonDocument.Parse(JsonSerializer.Serialize(chained, Json)))
                    link = Links.Next(_log._key.Bytes, link, AccessChains.Canonical(document.RootElement));
                (chains[i], positions[i], records[i]) = (_chain, position, JsonSerializer.Serialize(chained with { Link = link }, Json));
            }

            await using var connection = new NpgsqlConnection(_log._database.ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(AccessChains.Insert, connection);
            command.Parameters.AddWithValue("chains", chains);
            command.Parameters.AddWithValue("positions", positions);
            command.Parameters.AddWithValue("at", at);
            command.Parameters.Add(new NpgsqlParameter("records", NpgsqlDbType.Array | NpgsqlDbType.Jsonb) { Value = records });
            if (await command.ExecuteNonQueryAsync() != batch.Count)
                throw new InvalidOperationException("The register's clock is more than two seconds from the database's: nothing was recorded.");
            (_position, _link) = (position, link);    // only once committed: a failed batch leaves the chain where it was
        }
    }

    [LoggerMessage(LogLevel.Error, "The access log could not be written ({Count} reads refused): {Kind}: {Reason}")]
    private static partial void LogFailed(ILogger logger, int count, string kind, string reason);

    public async ValueTask DisposeAsync()
    {
        foreach (var writer in _writers ?? [])
        {
            writer.Pending.Writer.TryComplete();
            await writer.Loop;
        }
    }
}
