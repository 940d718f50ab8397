using System.ComponentModel;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace NationalRegister.LocalPostgres;

/// <summary>Where and how <see cref="LocalPostgresServer"/> runs its server.</summary>
/// <param name="DataDirectory">PostgreSQL data directory (created and initialised when missing).</param>
/// <param name="Database">Database created on the server when it does not exist.</param>
/// <param name="ThrowawayForTests">Trade durability for speed and delete the data directory on dispose.</param>
public sealed record LocalPostgresOptions(string DataDirectory, string Database = "register", bool ThrowawayForTests = false);

/// <summary>
/// The register's "embedded default" PostgreSQL: a server run from the machine's own binaries (initdb + pg_ctl), used
/// when no connection string is configured and by the integration tests.
/// </summary>
/// <remarks>Not named after its namespace, so that code in other NationalRegister.* namespaces can use both.</remarks>
public sealed partial class LocalPostgresServer : IAsyncDisposable, IDisposable
{
    private const string PostgresOsUser = "postgres";
    private const string LogFileName = "server.log";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan StartLockTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan ConnectRetryWindow = TimeSpan.FromSeconds(15);

    private readonly string _binaries;
    private readonly ILogger _logger;
    private readonly bool _ownsServer;
    private readonly bool _throwaway;
    private readonly string? _privateSocketDirectory;
    private readonly int? _postmasterPid;
    private int _disposed;

    private LocalPostgresServer(string binaries, string dataDirectory, int port, LocalPostgresOptions options, bool ownsServer,
        string? privateSocketDirectory, ILogger logger)
    {
        _binaries = binaries;
        _logger = logger;
        _ownsServer = ownsServer;
        _throwaway = options.ThrowawayForTests;
        _privateSocketDirectory = privateSocketDirectory;
        DataDirectory = dataDirectory;
        Port = port;
        ConnectionString = BuildConnectionString(port, options.Database, pooling: true);
        _postmasterPid = ownsServer ? ReadPostmasterPid(dataDirectory) : null;

        // Safety net: a test run that forgets to dispose must not leave throwaway servers behind.
        if (_ownsServer && _throwaway)
        {
            AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
        }
    }

    /// <summary>Host=127.0.0.1;Port=N;Database=db;Username=postgres</summary>
    public string ConnectionString { get; }

    public int Port { get; }

    public string DataDirectory { get; }

    /// <summary>
    /// Per-user data directory; for root a system folder, because PostgreSQL refuses to run as root and the postgres OS
    /// user cannot traverse /root.
    /// </summary>
    public static string DefaultDataDirectory()
    {
        if (OperatingSystem.IsWindows())
        {
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "national-register", "postgres");
        }

        if (IsRoot)
        {
            return "/var/lib/national-register/postgres";
        }

        var dataHome = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        if (string.IsNullOrWhiteSpace(dataHome) || !Path.IsPathRooted(dataHome))
        {
            dataHome = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
        }

        return Path.Combine(dataHome, "national-register", "postgres");
    }

    /// <summary>
    /// Starts (or reuses) a server on <see cref="LocalPostgresOptions.DataDirectory"/> and returns once it accepts
    /// connections and the database exists.
    /// </summary>
    /// <exception cref="PostgresNotFoundException">No PostgreSQL server binaries on this machine.</exception>
    /// <exception cref="InvalidOperationException">initdb, pg_ctl or the first connection failed.</exception>
    public static async Task<LocalPostgresServer> StartAsync(LocalPostgresOptions options, ILogger logger,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.DataDirectory);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Database);

        var binaries = await FindBinariesAsync(cancellationToken).ConfigureAwait(false) ?? throw new PostgresNotFoundException();
        var dataDirectory = Path.TrimEndingDirectorySeparator(Path.GetFullPath(options.DataDirectory));
        var parent = Path.GetDirectoryName(dataDirectory)
            ?? throw new ArgumentException("The data directory cannot be a file system root.", nameof(options));
        if (IsRoot)
        {
            EnsureTraversableByPostgresUser(parent);
        }

        CreateTraversableDirectory(parent);

        // Serialise start-ups on one data directory across processes (initdb and pg_ctl start are not re-entrant).
        var startLock = await AcquireStartLockAsync(dataDirectory + ".lock", cancellationToken).ConfigureAwait(false);
        await using (startLock.ConfigureAwait(false))
        {
            await PrepareDataDirectoryAsync(dataDirectory, cancellationToken).ConfigureAwait(false);

            if (await FindRunningServerPortAsync(binaries, dataDirectory, cancellationToken).ConfigureAwait(false) is int reusedPort)
            {
                await EnsureDatabaseAsync(reusedPort, options.Database, dataDirectory, cancellationToken).ConfigureAwait(false);
                LocalPostgresLog.Reused(logger, dataDirectory, reusedPort);
                return new LocalPostgresServer(binaries, dataDirectory, reusedPort, options, ownsServer: false,
                    privateSocketDirectory: null, logger);
            }

            if (!File.Exists(Path.Combine(dataDirectory, "PG_VERSION")))
            {
                var initStarted = Stopwatch.GetTimestamp();
                await InitDbAsync(binaries, dataDirectory, options.ThrowawayForTests, cancellationToken).ConfigureAwait(false);
                var elapsedMs = (long)Stopwatch.GetElapsedTime(initStarted).TotalMilliseconds;
                LocalPostgresLog.Initialised(logger, dataDirectory, elapsedMs);
            }

            var socketDirectory = await SocketDirectoryForAsync(dataDirectory, cancellationToken).ConfigureAwait(false);
            var port = await StartServerAsync(binaries, dataDirectory, socketDirectory, options.ThrowawayForTests, cancellationToken)
                .ConfigureAwait(false);
            var server = new LocalPostgresServer(binaries, dataDirectory, port, options, ownsServer: true,
                socketDirectory == dataDirectory ? null : socketDirectory, logger);
            try
            {
                await EnsureDatabaseAsync(port, options.Database, dataDirectory, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await server.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            LocalPostgresLog.Started(logger, dataDirectory, port);
            return server;
        }
    }

    /// <summary>Stops the server if this instance started it; a throwaway server's data directory is deleted.</summary>
    public ValueTask DisposeAsync() => new(StopAsync(quiet: false));

    /// <inheritdoc cref="DisposeAsync"/>
    public void Dispose() => StopAsync(quiet: false).GetAwaiter().GetResult();

    private void OnProcessExit(object? sender, EventArgs e) => StopAsync(quiet: true).GetAwaiter().GetResult();

    private async Task StopAsync(bool quiet)
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        if (!_ownsServer)
        {
            return;
        }

        try
        {
            // If our server died and someone else started a new one on this folder, that one is not ours to stop.
            var runningPid = ReadPostmasterPid(DataDirectory);
            if (runningPid is not null && runningPid != _postmasterPid)
            {
                return;
            }

            if (runningPid is not null)
            {
                var stop = await RunPostgresToolAsync(_binaries, "pg_ctl", DataDirectory,
                    ["stop", "-D", DataDirectory, "-m", "fast", "-w", "-t", "60"], CancellationToken.None).ConfigureAwait(false);
                if (stop.ExitCode != 0)
                {
                    if (!quiet)
                    {
                        LocalPostgresLog.StopFailed(_logger, DataDirectory, stop.ExitCode, stop.Output);
                    }

                    return;
                }

                if (!quiet)
                {
                    LocalPostgresLog.Stopped(_logger, DataDirectory, Port);
                }
            }

            if (_throwaway)
            {
                await DeleteDirectoryAsync(DataDirectory).ConfigureAwait(false);
                File.Delete(DataDirectory + ".lock");
                if (_privateSocketDirectory is not null)
                {
                    await DeleteDirectoryAsync(_privateSocketDirectory).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or Win32Exception or InvalidOperationException)
        {
            // Dispose must not throw; the worst case is a leftover server or folder, which we report.
            if (!quiet)
            {
                LocalPostgresLog.CleanupFailed(_logger, ex, DataDirectory);
            }
        }
    }
}

/// <summary>No PostgreSQL server binaries were found and no connection string is configured.</summary>
public sealed class PostgresNotFoundException : Exception
{
    public PostgresNotFoundException()
        : base(DefaultMessage())
    {
    }

    private static string DefaultMessage() =>
        "No connection string 'Register' is configured and no PostgreSQL server binaries (initdb, pg_ctl, postgres) were " +
        "found on PATH, via pg_config --bindir, or under /usr/lib/postgresql/*/bin. Any one of these fixes it:" + Environment.NewLine +
        "  1. Install PostgreSQL (e.g. `sudo apt-get install -y postgresql`); the register then runs its own server in " +
        $"{LocalPostgresServer.DefaultDataDirectory()}." + Environment.NewLine +
        "  2. Run `docker compose up -d db`, then set " +
        "ConnectionStrings__Register=Host=localhost;Port=5432;Database=register;Username=register;Password=register" + Environment.NewLine +
        "  3. Set ConnectionStrings__Register to any PostgreSQL 15+ server.";
}

internal static partial class LocalPostgresLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Initialised a new PostgreSQL data directory {DataDirectory} in {ElapsedMs} ms")]
    public static partial void Initialised(ILogger logger, string dataDirectory, long elapsedMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Started PostgreSQL on 127.0.0.1:{Port} with data directory {DataDirectory}")]
    public static partial void Started(ILogger logger, string dataDirectory, int port);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Reusing the PostgreSQL server already running on 127.0.0.1:{Port} with data directory {DataDirectory}")]
    public static partial void Reused(ILogger logger, string dataDirectory, int port);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopped PostgreSQL on 127.0.0.1:{Port} (data directory {DataDirectory})")]
    public static partial void Stopped(ILogger logger, string dataDirectory, int port);

    [LoggerMessage(Level = LogLevel.Warning, Message = "pg_ctl stop for {DataDirectory} exited with {ExitCode}: {StdErr}")]
    public static partial void StopFailed(ILogger logger, string dataDirectory, int exitCode, string stdErr);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not clean up the local PostgreSQL server in {DataDirectory}")]
    public static partial void CleanupFailed(ILogger logger, Exception exception, string dataDirectory);
}
