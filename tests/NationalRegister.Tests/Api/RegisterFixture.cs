using Alba;
using JasperFx.CommandLine;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NationalRegister.LocalPostgres;
using NationalRegister.Reference;
using Wolverine;

namespace NationalRegister.Tests.Api;

/// <summary>
/// One real register for the whole test run: the real host (Alba) on a real PostgreSQL, a throwaway server started
/// from the machine's binaries unless ConnectionStrings__Register names one. Tests never share data: every test
/// invents its own people, episodes and message ids, so nothing needs resetting between them.
/// </summary>
public sealed class RegisterFixture : IAsyncLifetime
{
    public const string SigningKey = "integration-tests-signing-key-0123456789-abcdef";
    private LocalPostgresServer? _postgres;

    /// <summary>The register's "now" throughout the tests.</summary>
    public static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    public FakeTimeProvider Clock { get; } = new(Now);

    /// <summary>What the register logged, at every level (LoggingTests).</summary>
    public CapturedLogs Logs { get; } = new();

    public IAlbaHost Host { get; private set; } = null!;

    /// <summary>Where this run's checkpoints go (no background checkpoints: tests write them when they need one).</summary>
    public string Anchors { get; } = Path.Combine(Path.GetTempPath(), $"nr-anchors-{Guid.NewGuid():N}"[..24]);
    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        ConnectionString = Environment.GetEnvironmentVariable("ConnectionStrings__Register") is { Length: > 0 } given
            ? given
            : await StartThrowawayPostgres();

        JasperFxEnvironment.AutoStartHost = true;
        Host = await StartNode(Logs, secondNode: false);
    }

    /// <summary>
    /// A second register on this run's database that answers requests and leaves the background work (the async
    /// projections among it) to the fixture's, as a web-only server would; the caller disposes it. Two Solo nodes would
    /// both run every projection and stall each other's shards. It logs to its own capture, so what it says on its way
    /// down is not taken for the fixture's.
    /// </summary>
    public Task<IAlbaHost> StartSecondNode() => StartNode(new CapturedLogs(), secondNode: true);

    private Task<IAlbaHost> StartNode(CapturedLogs logs, bool secondNode) =>
        AlbaHost.For<Program>(web =>
        {
            web.UseEnvironment("Development");
            if (secondNode) web.UseSetting("Register:Durability", nameof(DurabilityMode.ServerlessWithOutbox));
            web.UseSetting("ConnectionStrings:Register", ConnectionString);
            web.UseSetting("Auth:SigningKey", SigningKey);
            web.UseSetting("Audit:Anchors:Folder", Anchors);
            web.UseSetting("Audit:Anchors:IntervalMinutes", "0");
            web.ConfigureLogging(logging => logging.AddProvider(logs).AddFilter<CapturedLogs>(null, LogLevel.Trace));
            web.ConfigureServices(services =>
            {
                // The register's clock stands still at a known instant: no test depends on when it runs.
                services.AddSingleton<TimeProvider>(Clock);
                // Forces and authorities of the tests' own, beside the real ones, as an operator would configure others.
                services.Configure<ReferenceExtensions>(reference =>
                {
                    reference.Forces.AddRange(TestAgencies.Forces);
                    reference.LocalAuthorities.AddRange(TestAgencies.LocalAuthorities);
                });
                // A probe handler shaped like the register's own, to show its transaction and outbox (OutboxTests).
                services.ConfigureWolverine(opts =>
                    opts.Discovery.IncludeType(typeof(ProbeSightingHandler)).IncludeType(typeof(SightingNoticedHandler)));
            });
        });

    private async Task<string> StartThrowawayPostgres()
    {
        // Memory-backed when the machine has it: initdb is dominated by disk syncs (about 0.8 s faster here).
        var parent = Directory.Exists("/dev/shm") && new DriveInfo("/dev/shm").AvailableFreeSpace > 1L << 30 ? "/dev/shm" : Path.GetTempPath();
        var folder = Path.Combine(parent, $"nr-tests-{Guid.NewGuid():N}"[..20]);
        _postgres = await LocalPostgresServer.StartAsync(new LocalPostgresOptions(folder, ThrowawayForTests: true), NullLogger.Instance);
        return _postgres.ConnectionString;
    }

    public async Task DisposeAsync()
    {
        try
        {
            if (Host is not null) await Host.DisposeAsync();
        }
        finally
        {
            if (_postgres is not null) await _postgres.DisposeAsync();
            if (Directory.Exists(Anchors)) Directory.Delete(Anchors, recursive: true);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class RegisterCollection : ICollectionFixture<RegisterFixture>
{
    public const string Name = "register";
}
