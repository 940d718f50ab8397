using System.ComponentModel;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace NationalRegister.LocalPostgres;

/// <summary>Where and how <see cref="LocalPostgresServer"/> runs its server.</summary>
/// <param name="DataDirectory">PostgreSQL data directory (created and initialised when missing).</param>
/// <param name="Database">Database created on the server when it does not exist.</param>
/// <param name="ThrowawayForTests">Trade durability for speed and delete the data directory on dispose.</param>
/// <param name="PreferredPort">
/// The port to start the server on (null: a free one), so that connection strings handed out before stay valid. A start
/// fails rather than move to another port when it is taken. A server already running on the folder keeps its port.
/// </param>
public sealed record LocalPostgresOptions(string DataDirectory, string Database = "register", bool ThrowawayForTests = false,
    int? PreferredPort = null);

/// <summary>
/// The register's "embedded default" PostgreSQL: a server run from the machine's own binaries (initdb + pg_ctl), used
/// when no connection string is configured and by the integration tests.
/// </summary>
/// <remarks>
/// <para>Not named after its namespace, so that code in other NationalRegister.* namespaces can use both.</para>
/// <para>
/// Every login needs the password kept in <see cref="PasswordFile"/> (scram-sha-256, for TCP and the unix socket alike).
/// The process that starts a server owns it: it holds the owner lock (&lt;data&gt;.owner, flock) for as long as it lives,
/// may <see cref="RestartAsync"/> it, and stops it on dispose. Another start on the same folder borrows a server whose owner
/// lives, and takes over one whose owner has died (the kernel released its lock), so no server is left orphaned.
/// </para>
/// </remarks>
public sealed partial class LocalPostgresServer : IAsyncDisposable, IDisposable
{
    private const string PostgresOsUser = "postgres";
    private const string LogFileName = "server.log";
    private const string StartLockSuffix = ".lock";
    private const string OwnerLockSuffix = ".owner";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan StartLockTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan ConnectRetryWindow = TimeSpan.FromSeconds(15);

    private readonly string _binaries;
    private readonly string _database;
    private readonly string _password;
    private readonly ILogger _logger;
    private readonly bool _throwaway;
    private readonly FileStream? _ownerLock;
    private int _postmasterPid;
    private int _disposed;

    private LocalPostgresServer(string binaries, string dataDirectory, int port, string password, LocalPostgresOptions options,
        FileStream? ownerLock, ILogger logger)
    {
        _binaries = binaries;
        _database = options.Database;
        _password = password;
        _logger = logger;
        _ownerLock = ownerLock;
        _throwaway = options.ThrowawayForTests;
        DataDirectory = dataDirectory;
        Port = port;
        ConnectionString = BuildConnectionString(port, options.Database, password, pooling: true);
        _postmasterPid = ReadPostmasterPid(dataDirectory) ?? 0;

        // Safety net: a test run that forgets to dispose must not leave throwaway servers behind.
        if (OwnsServer && _throwaway)
        {
            AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
        }
    }

    /// <summary>Host=127.0.0.1;Port=N;Database=db;Username=postgres;Password=...</summary>
    public string ConnectionString { get; }

    public int Port { get; }

    public string DataDirectory { get; }

    /// <summary>Where the password of the 'postgres' role is kept: readable only by the server's owner (mode 600).</summary>
    public string PasswordFile => PasswordFileFor(DataDirectory);

    /// <summary>True when this instance started the server or took it over: it restarts it and stops it on dispose.</summary>
    public bool OwnsServer => _ownerLock is not null;

    /// <summary>Whether the server's postmaster is alive (a kill -9, a crash or the OOM killer end it).</summary>
    public bool IsRunning => (OwnsServer ? Volatile.Read(ref _postmasterPid) : ReadPostmasterPid(DataDirectory) ?? 0) is > 0 and var pid
        && IsLivePostgresProcess(pid);

    /// <summary>
    /// Whether <see cref="RestartAsync"/> can bring the server back: this instance owns it and the data directory is still
    /// a PostgreSQL data directory (a restart never initialises an empty one in its place).
    /// </summary>
    public bool CanRestart => OwnsServer && File.Exists(Path.Combine(DataDirectory, "PG_VERSION"));

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
    /// Starts a server on <see cref="LocalPostgresOptions.DataDirectory"/>, or borrows or takes over the one running there,
    /// and returns once it accepts connections and the database exists.
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

        var waitingSince = Stopwatch.GetTimestamp();
        while (true)
        {
            // Serialise start-ups on one data directory across processes (initdb and pg_ctl start are not re-entrant).
            var startLock = await AcquireStartLockAsync(dataDirectory + StartLockSuffix, cancellationToken).ConfigureAwait(false);
            await using (startLock.ConfigureAwait(false))
            {
                await PrepareDataDirectoryAsync(dataDirectory, cancellationToken).ConfigureAwait(false);
                var ownerLock = TryTakeOwnerLock(dataDirectory);
                try
                {
                    var runningPort = await FindRunningServerPortAsync(binaries, dataDirectory, cancellationToken).ConfigureAwait(false);
                    if (runningPort is not null)
                    {
                        // Without the owner lock, a live process owns the server: borrow it. With it, its owner has died: take it over.
                        var server = await ConnectAsync(binaries, dataDirectory, runningPort.Value, options, ownerLock, logger,
                            cancellationToken).ConfigureAwait(false);
                        ownerLock = null;
                        if (server.OwnsServer)
                        {
                            LocalPostgresLog.TookOver(logger, dataDirectory, server.Port);
                        }
                        else
                        {
                            LocalPostgresLog.Reused(logger, dataDirectory, server.Port);
                        }

                        return server;
                    }

                    if (ownerLock is not null)
                    {
                        var server = await StartOwnedAsync(binaries, dataDirectory, options, ownerLock, logger, cancellationToken)
                            .ConfigureAwait(false);
                        ownerLock = null;
                        return server;
                    }
                }
                finally
                {
                    if (ownerLock is not null)
                    {
                        await ownerLock.DisposeAsync().ConfigureAwait(false);
                    }
                }
            }

            // No server runs, yet its owner lives: it is restarting its server (on its own port). Wait for that, outside the
            // start lock, which the restart takes.
            if (Stopwatch.GetElapsedTime(waitingSince) > StartLockTimeout)
            {
                throw new InvalidOperationException(
                    $"No PostgreSQL server runs on '{dataDirectory}', and the process that owns it has not restarted it in " +
                    $"{StartLockTimeout.TotalMinutes:0} minutes. Stop that process (`fuser -v '{dataDirectory}{OwnerLockSuffix}'` " +
                    "names it), or set another Register__DataDirectory.");
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<LocalPostgresServer> StartOwnedAsync(string binaries, string dataDirectory, LocalPostgresOptions options,
        FileStream ownerLock, ILogger logger, CancellationToken cancellationToken)
    {
        if (!File.Exists(Path.Combine(dataDirectory, "PG_VERSION")))
        {
            var initStarted = Stopwatch.GetTimestamp();
            await InitDbAsync(binaries, dataDirectory, options.ThrowawayForTests, cancellationToken).ConfigureAwait(false);
            var elapsedMs = (long)Stopwatch.GetElapsedTime(initStarted).TotalMilliseconds;
            LocalPostgresLog.Initialised(logger, dataDirectory, elapsedMs);
        }

        var socketDirectory = await SocketDirectoryForAsync(dataDirectory, cancellationToken).ConfigureAwait(false);
        var port = await StartServerAsync(binaries, dataDirectory, socketDirectory, options.ThrowawayForTests, options.PreferredPort,
            cancellationToken).ConfigureAwait(false);
        var server = await ConnectAsync(binaries, dataDirectory, port, options, ownerLock, logger, cancellationToken).ConfigureAwait(false);
        LocalPostgresLog.Started(logger, dataDirectory, port);
        return server;
    }

    /// <summary>
    /// The running server made safe (a trust folder gets its password) and its database created; stopped on failure if ours.
    /// </summary>
    private static async Task<LocalPostgresServer> ConnectAsync(string binaries, string dataDirectory, int port,
        LocalPostgresOptions options, FileStream? ownerLock, ILogger logger, CancellationToken cancellationToken)
    {
        LocalPostgresServer? server = null;
        try
        {
            string password;
            if (AllowsPasswordlessLogins(dataDirectory))
            {
                password = await EnsurePasswordFileAsync(dataDirectory, cancellationToken).ConfigureAwait(false);
                await RequirePasswordAsync(port, dataDirectory, password, cancellationToken).ConfigureAwait(false);
                LocalPostgresLog.PasswordRequired(logger, dataDirectory, PasswordFileFor(dataDirectory));
            }
            else
            {
                password = ReadPasswordFile(dataDirectory);
            }

            server = new LocalPostgresServer(binaries, dataDirectory, port, password, options, ownerLock, logger);
            await EnsureDatabaseAsync(port, options.Database, password, dataDirectory, cancellationToken).ConfigureAwait(false);
            return server;
        }
        catch
        {
            if (server is not null)
            {
                await server.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    /// <summary>
    /// Starts the server again after its postmaster died, on the same <see cref="Port"/> (so <see cref="ConnectionString"/>
    /// stays valid), from the same data directory: never initdb. PostgreSQL recovers from its write-ahead log on start.
    /// </summary>
    /// <exception cref="InvalidOperationException">Not the owner, the data directory is gone, or pg_ctl start failed.</exception>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (!OwnsServer)
        {
            throw new InvalidOperationException($"The server on '{DataDirectory}' is owned by another process, which restarts it.");
        }

        var startLock = await AcquireStartLockAsync(DataDirectory + StartLockSuffix, cancellationToken).ConfigureAwait(false);
        await using (startLock.ConfigureAwait(false))
        {
            if (!File.Exists(Path.Combine(DataDirectory, "PG_VERSION")))
            {
                throw new InvalidOperationException(
                    $"'{DataDirectory}' is no longer a PostgreSQL data directory (no PG_VERSION): not restarting, which would " +
                    "start an empty database in its place. Restore the folder and start the register again.");
            }

            // We hold the owner lock, so a server running here was started by us (a restart cut short, say).
            if (await FindRunningServerPortAsync(_binaries, DataDirectory, cancellationToken).ConfigureAwait(false) is int runningPort)
            {
                if (runningPort != Port)
                {
                    throw new InvalidOperationException(
                        $"A PostgreSQL server runs on '{DataDirectory}' on port {runningPort}, not {Port}. Stop it " +
                        $"(pg_ctl stop -D '{DataDirectory}').");
                }
            }
            else
            {
                var socketDirectory = await SocketDirectoryForAsync(DataDirectory, cancellationToken).ConfigureAwait(false);
                await StartServerAsync(_binaries, DataDirectory, socketDirectory, _throwaway, Port, cancellationToken)
                    .ConfigureAwait(false);
            }

            Volatile.Write(ref _postmasterPid, ReadPostmasterPid(DataDirectory) ?? 0);
            await EnsureDatabaseAsync(Port, _database, _password, DataDirectory, cancellationToken).ConfigureAwait(false);
        }

        // Idle pooled connections of ConnectionString lead to the dead server: each would fail once ("terminating connection
        // due to unexpected postmaster exit"). Pools of connection strings derived from it are the caller's to clear.
        var pooled = new NpgsqlConnection(ConnectionString);
        await using (pooled.ConfigureAwait(false))
        {
            NpgsqlConnection.ClearPool(pooled);
        }

        LocalPostgresLog.Restarted(_logger, DataDirectory, Port);
    }

    /// <summary>Stops the server if this instance owns it; a throwaway server's data directory is deleted.</summary>
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
        if (_ownerLock is null)
        {
            return;
        }

        try
        {
            // The owner lock means no one else has started a server here: whatever runs is ours to stop.
            if (ReadPostmasterPid(DataDirectory) is not null
                && await FindRunningServerPortAsync(_binaries, DataDirectory, CancellationToken.None).ConfigureAwait(false) is not null)
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
                File.Delete(DataDirectory + StartLockSuffix);
                File.Delete(PasswordFile);
                File.Delete(DataDirectory + OwnerLockSuffix);
                var socketDirectory = SocketDirectoryFor(DataDirectory);
                if (socketDirectory != DataDirectory)
                {
                    await DeleteDirectoryAsync(socketDirectory).ConfigureAwait(false);
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
        finally
        {
            // Released only now: a start that finds the lock free and a server running takes that server over.
            await _ownerLock.DisposeAsync().ConfigureAwait(false);
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
        Message = "Reusing the PostgreSQL server on 127.0.0.1:{Port} with data directory {DataDirectory}, " +
            "owned by another running process")]
    public static partial void Reused(ILogger logger, string dataDirectory, int port);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Took over the PostgreSQL server on 127.0.0.1:{Port} (data directory {DataDirectory}) from a process that has gone: " +
            "it is stopped with this one")]
    public static partial void TookOver(ILogger logger, string dataDirectory, int port);

    [LoggerMessage(Level = LogLevel.Information, Message = "Restarted PostgreSQL on 127.0.0.1:{Port} with data directory {DataDirectory}")]
    public static partial void Restarted(ILogger logger, string dataDirectory, int port);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "The PostgreSQL server in {DataDirectory} let every local user in without a password (trust): it now asks for the " +
            "password kept in {PasswordFile}")]
    public static partial void PasswordRequired(ILogger logger, string dataDirectory, string passwordFile);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopped PostgreSQL on 127.0.0.1:{Port} (data directory {DataDirectory})")]
    public static partial void Stopped(ILogger logger, string dataDirectory, int port);

    [LoggerMessage(Level = LogLevel.Warning, Message = "pg_ctl stop for {DataDirectory} exited with {ExitCode}: {StdErr}")]
    public static partial void StopFailed(ILogger logger, string dataDirectory, int exitCode, string stdErr);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not clean up the local PostgreSQL server in {DataDirectory}")]
    public static partial void CleanupFailed(ILogger logger, Exception exception, string dataDirectory);
}
