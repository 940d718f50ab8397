using System.Text.Json;
using System.Threading.Channels;
using Marten;
using Marten.Schema;
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
    public int Writers { get; set; } = 4;
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

    public static StoreOptions AddAccessLog(this StoreOptions options)
    {
        // Out of the event store and the async daemon: a read adds no projection work. Its chains are checked in order.
        // (A Duplicate's configure cannot make a composite index: Marten keeps the one column. UniqueIndex can.)
        options.Schema.For<AccessRecord>().DocumentAlias("access_record")
            .Duplicate(r => r.Chain)
            .Duplicate(r => r.Position)
            .UniqueIndex(UniqueIndexType.DuplicatedField, "access_record_chain_position", r => r.Chain, r => r.Position)
            .Duplicate(r => r.At)
            .Duplicate(r => r.User)
            .Index(r => r.PersonIds, i => i.Method = IndexMethod.gin);
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
public sealed partial class AccessLog(IDocumentStore store, ChainKey key, IOptions<AccessLogSettings> settings, ILogger<AccessLog> logger)
    : IAsyncDisposable
{
    private const int MaxBatch = 256;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly IDocumentStore _store = store;
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

        private async Task Commit(List<(AccessRecord Record, TaskCompletionSource Done)> batch)
        {
            await using var session = _log._store.LightweightSession();
            await session.BeginTransactionAsync(CancellationToken.None);
            var now = (await session.AdvancedSql.QueryAsync<DateTimeOffset>("select now()", CancellationToken.None))[0];
            var (position, link) = (_position, _link);
            var serializer = _log._store.Options.Serializer();
            foreach (var (record, _) in batch)
            {
                var chained = record with { Id = Guid.NewGuid(), Chain = _chain, Position = ++position, At = now, Link = null };
                using (var document = JsonDocument.Parse(serializer.ToJson(chained)))
                    link = Links.Next(_log._key.Bytes, link, AccessChains.Canonical(document.RootElement));
                session.Insert(chained with { Link = link });
            }

            await session.SaveChangesAsync();
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
