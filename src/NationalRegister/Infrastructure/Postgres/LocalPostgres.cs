using System.ComponentModel;
using System.Diagnostics;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace NationalRegister.Infrastructure.Postgres;

/// <summary>Where and how <see cref="LocalPostgres"/> runs its server.</summary>
/// <param name="DataDirectory">PostgreSQL data directory (created and initialised when missing).</param>
/// <param name="Database">Database created on the server when it does not exist.</param>
/// <param name="ThrowawayForTests">Trade durability for speed and delete the data directory on dispose.</param>
public sealed record LocalPostgresOptions(string DataDirectory, string Database = "register", bool ThrowawayForTests = false);

/// <summary>
/// The register's "embedded default" PostgreSQL: a server run from the machine's own binaries
/// (initdb + pg_ctl), used when no connection string is configured and by the integration tests.
/// </summary>
public sealed partial class LocalPostgres : IDisposable
{
    private const string PostgresOsUser = "postgres";
    private const string LogFileName = "server.log";
    // sockaddr_un.sun_path is 108 bytes including the terminating NUL.
    private const int MaxUnixSocketPathBytes = 107;
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

    private LocalPostgres(string binaries, string dataDirectory, int port, string database, bool ownsServer,
        bool throwaway, string? privateSocketDirectory, ILogger logger)
    {
        _binaries = binaries;
        _logger = logger;
        _ownsServer = ownsServer;
        _throwaway = throwaway;
        _privateSocketDirectory = privateSocketDirectory;
        DataDirectory = dataDirectory;
        Port = port;
        ConnectionString = BuildConnectionString(port, database, pooling: true);
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
    /// Per-user data directory; for root a system folder, because PostgreSQL refuses to run as
    /// root and the postgres OS user cannot traverse /root.
    /// </summary>
    public static string DefaultDataDirectory()
    {
        if (OperatingSystem.IsWindows())
        {
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData),
                "national-register", "postgres");
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
    /// The folder holding initdb, pg_ctl and postgres: from PATH, else pg_config --bindir, else the
    /// newest /usr/lib/postgresql/*/bin (Debian/Ubuntu keep server binaries off PATH). Null if none.
    /// </summary>
    public static string? FindBinaries()
    {
        foreach (var dir in PathDirectories())
        {
            if (!HasExecutable(dir, "initdb"))
            {
                continue;
            }

            // /usr/local/bin/initdb may be a symlink or wrapper: prefer the folder of the real binary.
            var real = RealDirectoryOf(Path.Combine(dir, ExecutableName("initdb")));
            if (real is not null && IsServerBinDirectory(real))
            {
                return real;
            }

            if (IsServerBinDirectory(dir))
            {
                return dir;
            }
        }

        var fromPgConfig = PgConfigBinDirectory();
        if (fromPgConfig is not null && IsServerBinDirectory(fromPgConfig))
        {
            return fromPgConfig;
        }

        return NewestDebianBinDirectory();
    }

    /// <summary>
    /// Starts (or reuses) a server on <see cref="LocalPostgresOptions.DataDirectory"/> and returns once it
    /// accepts connections and the database exists.
    /// </summary>
    /// <exception cref="PostgresNotFoundException">No PostgreSQL server binaries on this machine.</exception>
    /// <exception cref="InvalidOperationException">initdb, pg_ctl or the first connection failed.</exception>
    public static LocalPostgres Start(LocalPostgresOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.DataDirectory);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Database);

        var binaries = FindBinaries() ?? throw new PostgresNotFoundException();
        var dataDirectory = Path.TrimEndingDirectorySeparator(Path.GetFullPath(options.DataDirectory));
        var parent = Path.GetDirectoryName(dataDirectory)
            ?? throw new ArgumentException("The data directory cannot be a file system root.", nameof(options));
        if (IsRoot)
        {
            EnsureTraversableByPostgresUser(parent);
        }

        CreateTraversableDirectory(parent);

        // Serialise start-ups on one data directory across processes (initdb and pg_ctl start are not re-entrant).
        using var startLock = AcquireStartLock(dataDirectory + ".lock");

        PrepareDataDirectory(dataDirectory);

        var runningPort = FindRunningServerPort(binaries, dataDirectory);
        if (runningPort is int reusedPort)
        {
            EnsureDatabase(reusedPort, options.Database, dataDirectory);
            LocalPostgresLog.Reused(logger, dataDirectory, reusedPort);
            return new LocalPostgres(binaries, dataDirectory, reusedPort, options.Database, ownsServer: false,
                options.ThrowawayForTests, privateSocketDirectory: null, logger);
        }

        if (!File.Exists(Path.Combine(dataDirectory, "PG_VERSION")))
        {
            var initStarted = Stopwatch.GetTimestamp();
            InitDb(binaries, dataDirectory, options.ThrowawayForTests);
            var elapsedMs = (long)Stopwatch.GetElapsedTime(initStarted).TotalMilliseconds;
            LocalPostgresLog.Initialised(logger, dataDirectory, elapsedMs);
        }

        var socketDirectory = SocketDirectoryFor(dataDirectory);
        var port = StartServer(binaries, dataDirectory, socketDirectory, options.ThrowawayForTests);
        var instance = new LocalPostgres(binaries, dataDirectory, port, options.Database, ownsServer: true,
            options.ThrowawayForTests, socketDirectory == dataDirectory ? null : socketDirectory, logger);
        try
        {
            EnsureDatabase(port, options.Database, dataDirectory);
        }
        catch
        {
            instance.Dispose();
            throw;
        }

        LocalPostgresLog.Started(logger, dataDirectory, port);
        return instance;
    }

    /// <summary>Stops the server if this instance started it; a throwaway server's data directory is deleted.</summary>
    public void Dispose() => Stop(quiet: false);

    private void OnProcessExit(object? sender, EventArgs e) => Stop(quiet: true);

    private void Stop(bool quiet)
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
                var stop = RunPostgresTool(_binaries, "pg_ctl", Path.GetDirectoryName(DataDirectory)!,
                    "stop", "-D", DataDirectory, "-m", "fast", "-w", "-t", "60");
                if (stop.ExitCode != 0)
                {
                    if (!quiet)
                    {
                        LocalPostgresLog.StopFailed(_logger, DataDirectory, stop.ExitCode, (stop.StdErr + stop.StdOut).Trim());
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
                DeleteDirectory(DataDirectory);
                File.Delete(DataDirectory + ".lock");
                if (_privateSocketDirectory is not null)
                {
                    DeleteDirectory(_privateSocketDirectory);
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

    public PostgresNotFoundException(string message)
        : base(message)
    {
    }

    public PostgresNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    private static string DefaultMessage() =>
        "No connection string 'Register' is configured and no PostgreSQL server binaries (initdb, pg_ctl, postgres) were " +
        "found on PATH, via pg_config --bindir, or under /usr/lib/postgresql/*/bin. Any one of these fixes it:" + Environment.NewLine +
        "  1. Install PostgreSQL (e.g. `sudo apt-get install -y postgresql`); the register then runs its own server in " +
        $"{LocalPostgres.DefaultDataDirectory()}." + Environment.NewLine +
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Reusing the PostgreSQL server already running on 127.0.0.1:{Port} with data directory {DataDirectory}")]
    public static partial void Reused(ILogger logger, string dataDirectory, int port);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopped PostgreSQL on 127.0.0.1:{Port} (data directory {DataDirectory})")]
    public static partial void Stopped(ILogger logger, string dataDirectory, int port);

    [LoggerMessage(Level = LogLevel.Warning, Message = "pg_ctl stop for {DataDirectory} exited with {ExitCode}: {StdErr}")]
    public static partial void StopFailed(ILogger logger, string dataDirectory, int exitCode, string stdErr);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not clean up the local PostgreSQL server in {DataDirectory}")]
    public static partial void CleanupFailed(ILogger logger, Exception exception, string dataDirectory);
}