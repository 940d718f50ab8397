using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Npgsql;

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
public sealed class LocalPostgres : IDisposable
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

    // ---- data directory and permissions -------------------------------------------------------

    private static void PrepareDataDirectory(string dataDirectory)
    {
        if (IsRoot)
        {
            // No chown in the BCL: install(1) creates the folder (or fixes an existing one) for the postgres user.
            RunChecked(Run("install", ["-d", "-o", PostgresOsUser, "-g", PostgresOsUser, "-m", "700", dataDirectory],
                    asPostgresUser: false, workingDirectory: "/"),
                logFile: null,
                "Check that the OS user 'postgres' exists (installing the postgresql package creates it).");
        }
        else if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(dataDirectory);
        }
        else
        {
            Directory.CreateDirectory(dataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    /// <summary>Creates missing folders with mode 755 (whatever the umask) so the postgres user can pass through.</summary>
    private static void CreateTraversableDirectory(string path)
    {
        if (Directory.Exists(path))
        {
            return;
        }

        var missing = new List<string>();
        for (var dir = path; dir is not null && !Directory.Exists(dir); dir = Path.GetDirectoryName(dir))
        {
            missing.Add(dir);
        }

        Directory.CreateDirectory(path);
        if (!OperatingSystem.IsWindows())
        {
            foreach (var dir in missing)
            {
                File.SetUnixFileMode(dir, File.GetUnixFileMode(dir) | TraversableBits);
            }
        }
    }

    private const UnixFileMode TraversableBits =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
        UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    /// <summary>
    /// As root the server runs as 'postgres', which must traverse every ancestor. A private temp folder
    /// (mktemp -d, CreateTempSubdirectory: mode 700) is opened up to 755; anything else is left alone.
    /// </summary>
    [UnsupportedOSPlatform("windows")]
    private static void EnsureTraversableByPostgresUser(string directory)
    {
        var tempRoots = new[] { Path.GetTempPath(), "/tmp/", "/var/tmp/" }
            .Select(p => Path.TrimEndingDirectorySeparator(Path.GetFullPath(p)))
            .ToArray();
        for (var dir = directory; dir is not null; dir = Path.GetDirectoryName(dir))
        {
            if (!Directory.Exists(dir))
            {
                continue; // created later with mode 755
            }

            var mode = File.GetUnixFileMode(dir);
            if ((mode & UnixFileMode.OtherExecute) != 0)
            {
                continue;
            }

            var insideTemp = tempRoots.Any(t => dir.StartsWith(t + "/", StringComparison.Ordinal));
            if (!insideTemp)
            {
                throw new InvalidOperationException(
                    $"PostgreSQL runs as the OS user 'postgres' (it refuses root), and that user cannot enter '{dir}' " +
                    $"(mode {Convert.ToString((int)mode, 8)}). Choose a data directory outside it, such as " +
                    $"'{DefaultDataDirectory()}', or allow traversal with: chmod o+x '{dir}'.");
            }

            File.SetUnixFileMode(dir, mode | TraversableBits);
        }
    }

    /// <summary>Unix socket paths are limited to 107 bytes: fall back to a short folder in /tmp.</summary>
    private static string SocketDirectoryFor(string dataDirectory)
    {
        if (OperatingSystem.IsWindows())
        {
            return dataDirectory;
        }

        var longest = Path.Combine(dataDirectory, ".s.PGSQL.65535");
        if (Encoding.UTF8.GetByteCount(longest) <= MaxUnixSocketPathBytes)
        {
            return dataDirectory;
        }

        // Stable per data directory so restarts do not litter /tmp.
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(dataDirectory)))[..12];
        var socketDirectory = "/tmp/nrpg-" + hash;
        if (IsRoot)
        {
            RunChecked(Run("install", ["-d", "-o", PostgresOsUser, "-g", PostgresOsUser, "-m", "700", socketDirectory],
                asPostgresUser: false, workingDirectory: "/"), logFile: null, "Check that /tmp is writable.");
        }
        else
        {
            Directory.CreateDirectory(socketDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return socketDirectory;
    }

    private static FileStream AcquireStartLock(string lockFile)
    {
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            try
            {
                // FileShare.None takes an exclusive flock on Unix: another process gets an IOException.
                return new FileStream(lockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (Stopwatch.GetElapsedTime(started) < StartLockTimeout)
            {
                Thread.Sleep(50);
            }
        }
    }

    private static void DeleteDirectory(string path)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (Directory.Exists(path))
                {
                    Directory.Delete(path, recursive: true);
                }

                return;
            }
            catch (IOException) when (attempt < 5)
            {
                // A just-stopped backend may still be unlinking files.
                Thread.Sleep(100);
            }
        }
    }

    // ---- server lifecycle -----------------------------------------------------------------------

    private static void InitDb(string binaries, string dataDirectory, bool throwaway)
    {
        var args = new List<string> { "-D", dataDirectory, "--auth=trust", "-U", "postgres", "-E", "UTF8", "--no-locale", "--no-instructions" };
        if (throwaway)
        {
            args.Add("--no-sync"); // nothing to make durable in a folder deleted after the test run
        }

        RunChecked(RunPostgresTool(binaries, "initdb", Path.GetDirectoryName(dataDirectory)!, [.. args]),
            logFile: null,
            $"Make sure '{dataDirectory}' is empty or an existing PostgreSQL data directory and writable by " +
            $"{(IsRoot ? "the OS user 'postgres'" : "the current user")}, or set ConnectionStrings__Register to another server.");
    }

    /// <summary>Port of the server already running on this data directory, or null (a stale pid file is removed).</summary>
    private static int? FindRunningServerPort(string binaries, string dataDirectory)
    {
        var pidFile = Path.Combine(dataDirectory, "postmaster.pid");
        if (!File.Exists(pidFile))
        {
            return null;
        }

        var status = RunPostgresTool(binaries, "pg_ctl", Path.GetDirectoryName(dataDirectory)!, "status", "-D", dataDirectory);
        if (status.ExitCode != 0)
        {
            return null; // stale after a crash: the server itself replaces it (and cleans up old shared memory)
        }

        // pg_ctl only checks that the pid exists; after a crash it may be a zombie, or (after a container restart)
        // another program's, and then PostgreSQL would refuse to start: remove the stale file.
        var lines = File.Exists(pidFile) ? File.ReadAllLines(pidFile) : [];
        if (lines.Length == 0 || !IsLivePostgresProcess(lines[0]))
        {
            File.Delete(pidFile);
            return null;
        }

        // Line 4 of postmaster.pid is the port.
        if (lines.Length >= 4 && int.TryParse(lines[3], NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            return port;
        }

        throw new InvalidOperationException(
            $"A PostgreSQL server is running on '{dataDirectory}' but its postmaster.pid names no port. " +
            $"Stop it (pg_ctl stop -D '{dataDirectory}') and start the register again.");
    }

    private static int? ReadPostmasterPid(string dataDirectory)
    {
        var pidFile = Path.Combine(dataDirectory, "postmaster.pid");
        try
        {
            var first = File.Exists(pidFile) ? File.ReadLines(pidFile).FirstOrDefault() : null;
            return int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
        }
        catch (IOException)
        {
            return null; // removed while we read it: the server is gone
        }
    }

    private static bool IsLivePostgresProcess(string pidLine)
    {
        if (!int.TryParse(pidLine.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
        {
            return false;
        }

        if (!Directory.Exists("/proc/self"))
        {
            return true; // no procfs (macOS): trust pg_ctl status
        }

        try
        {
            // "/proc/PID/stat" is "PID (comm) STATE ...". A killed postmaster can stay a zombie for seconds when
            // PID 1 reaps slowly (containers, micro-VMs), and pg_ctl status still calls that "running".
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var open = stat.IndexOf('(', StringComparison.Ordinal);
            var close = stat.LastIndexOf(')');
            if (open < 0 || close < open || close + 2 >= stat.Length)
            {
                return false;
            }

            var comm = stat[(open + 1)..close];
            var state = stat[close + 2];
            return comm is "postgres" or "postmaster" && state is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false; // the process is gone
        }
    }

    private static int StartServer(string binaries, string dataDirectory, string socketDirectory, bool throwaway)
    {
        var logFile = Path.Combine(dataDirectory, LogFileName);
        for (var attempt = 1; ; attempt++)
        {
            var port = FreeTcpPort();
            // pg_ctl passes -o through /bin/sh, hence the quoting of the socket folder.
            var serverOptions = new StringBuilder()
                .Append(CultureInfo.InvariantCulture, $"-p {port} -k {ShellQuote(socketDirectory)} -c listen_addresses=127.0.0.1");
            if (throwaway)
            {
                serverOptions.Append(" -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300");
            }
            else
            {
                serverOptions.Append(" -c max_connections=200");
            }

            var start = RunPostgresTool(binaries, "pg_ctl", Path.GetDirectoryName(dataDirectory)!,
                "start", "-w", "-t", "60", "-D", dataDirectory, "-l", logFile, "-o", serverOptions.ToString());
            if (start.ExitCode == 0)
            {
                return port;
            }

            // Another process may have taken the port between our probe and the server's bind.
            if (attempt < 3 && TailLines(logFile, 20).Contains("could not bind", StringComparison.Ordinal))
            {
                continue;
            }

            throw Failure(start, logFile,
                $"Read the server log above. If another server uses '{dataDirectory}', stop it with pg_ctl stop -D; " +
                "delete the folder to start afresh; or set ConnectionStrings__Register to another PostgreSQL server.");
        }
    }

    private static void EnsureDatabase(int port, string database, string dataDirectory)
    {
        var adminConnection = BuildConnectionString(port, "postgres", pooling: false);
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            try
            {
                using var connection = new NpgsqlConnection(adminConnection);
                connection.Open();
                using var exists = new NpgsqlCommand("select 1 from pg_database where datname = $1", connection);
                exists.Parameters.Add(new NpgsqlParameter { Value = database });
                if (exists.ExecuteScalar() is null)
                {
                    CreateDatabase(connection, database);
                }

                return;
            }
            catch (NpgsqlException ex) when (IsTransient(ex) && Stopwatch.GetElapsedTime(started) < ConnectRetryWindow)
            {
                Thread.Sleep(100); // "the database system is starting up" or the socket is not open yet
            }
            catch (NpgsqlException ex)
            {
                throw new InvalidOperationException(
                    $"PostgreSQL from '{dataDirectory}' is running on 127.0.0.1:{port} but creating database '{database}' failed: " +
                    $"{ex.Message}{Environment.NewLine}--- last lines of the server log ---{Environment.NewLine}" +
                    $"{TailLines(Path.Combine(dataDirectory, LogFileName), 20)}{Environment.NewLine}" +
                    "Check the server log, or set ConnectionStrings__Register to another PostgreSQL server.", ex);
            }
        }
    }

    private static void CreateDatabase(NpgsqlConnection connection, string database)
    {
        // CREATE DATABASE takes no parameters: quote the identifier instead.
        var quoted = "\"" + database.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        using var create = new NpgsqlCommand("CREATE DATABASE " + quoted, connection);
        try
        {
            create.ExecuteNonQuery();
        }
        catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.DuplicateDatabase or PostgresErrorCodes.UniqueViolation)
        {
            // Another process created it first.
        }
    }

    private static bool IsTransient(NpgsqlException ex) =>
        ex is PostgresException pg ? pg.SqlState == PostgresErrorCodes.CannotConnectNow : ex.IsTransient || ex.InnerException is SocketException or IOException;

    private static string BuildConnectionString(int port, string database, bool pooling)
    {
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = port,
            Database = database,
            Username = "postgres",
        };
        if (!pooling)
        {
            builder.Pooling = false;
        }

        return builder.ConnectionString;
    }

    private static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    // ---- processes ------------------------------------------------------------------------------

    private sealed record CommandResult(string Command, int ExitCode, string StdOut, string StdErr);

    /// <summary>Runs initdb/pg_ctl; as root through runuser, because PostgreSQL refuses to run as root.</summary>
    private static CommandResult RunPostgresTool(string binaries, string tool, string workingDirectory, params string[] args) =>
        Run(Path.Combine(binaries, ExecutableName(tool)), args, asPostgresUser: IsRoot, workingDirectory);

    private static CommandResult Run(string fileName, IReadOnlyList<string> args, bool asPostgresUser, string workingDirectory)
    {
        var startInfo = new ProcessStartInfo
        {
            FileName = asPostgresUser ? RunuserPath() : fileName,
            // The postgres user may not be able to enter our current folder (e.g. /root).
            WorkingDirectory = workingDirectory,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (asPostgresUser)
        {
            foreach (var a in (string[])["-u", PostgresOsUser, "--", fileName])
            {
                startInfo.ArgumentList.Add(a);
            }
        }

        foreach (var a in args)
        {
            startInfo.ArgumentList.Add(a);
        }

        // Untranslated messages, and no dependency on locales the machine may not have.
        startInfo.Environment["LC_ALL"] = "C";

        var command = string.Join(' ', startInfo.ArgumentList.Prepend(startInfo.FileName).Select(QuoteForDisplay));
        using var process = Process.Start(startInfo)
            ?? throw new InvalidOperationException($"Could not start: {command}");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(CommandTimeout))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"Timed out after {CommandTimeout.TotalSeconds:0} s: {command}");
        }

        return new CommandResult(command, process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }

    private static void RunChecked(CommandResult result, string? logFile, string nextStep)
    {
        if (result.ExitCode != 0)
        {
            throw Failure(result, logFile, nextStep);
        }
    }

    private static InvalidOperationException Failure(CommandResult result, string? logFile, string nextStep)
    {
        var message = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"Local PostgreSQL command failed with exit code {result.ExitCode}: {result.Command}")
            .AppendLine();
        var output = (result.StdErr + result.StdOut).Trim();
        if (output.Length > 0)
        {
            message.AppendLine(output);
        }

        if (logFile is not null && File.Exists(logFile))
        {
            message.AppendLine(CultureInfo.InvariantCulture, $"--- last lines of {logFile} ---").AppendLine(TailLines(logFile, 20));
        }

        if (IsRoot)
        {
            message.Append("(Running as root: PostgreSQL tools were run as the OS user 'postgres' via runuser.) ");
        }

        return new InvalidOperationException(message.Append(nextStep).ToString());
    }

    private static string TailLines(string path, int count)
    {
        if (!File.Exists(path))
        {
            return "";
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        stream.Seek(Math.Max(0, stream.Length - 16_384), SeekOrigin.Begin);
        using var reader = new StreamReader(stream);
        var lines = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return string.Join(Environment.NewLine, lines.TakeLast(count));
    }

    private static string ShellQuote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static string QuoteForDisplay(string value) =>
        value.Length > 0 && !value.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '\\' or '$' or ';') ? value : ShellQuote(value);

    private static readonly string[] RunuserLocations = ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"];

    private static string RunuserPath() => RunuserLocations.FirstOrDefault(File.Exists) ?? "runuser";

    // ---- finding binaries -----------------------------------------------------------------------

    private static IEnumerable<string> PathDirectories() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(Path.IsPathRooted);

    private static string ExecutableName(string tool) => OperatingSystem.IsWindows() ? tool + ".exe" : tool;

    /// <summary>A dangling symlink (binaries uninstalled, link left behind) does not count.</summary>
    private static bool HasExecutable(string directory, string tool)
    {
        var file = new FileInfo(Path.Combine(directory, ExecutableName(tool)));
        try
        {
            return file.Exists && (file.LinkTarget is null || file.ResolveLinkTarget(returnFinalTarget: true) is { Exists: true });
        }
        catch (IOException)
        {
            return false; // a looping link
        }
    }

    private static bool IsServerBinDirectory(string directory) =>
        HasExecutable(directory, "initdb") && HasExecutable(directory, "pg_ctl") && HasExecutable(directory, "postgres");

    private static string? RealDirectoryOf(string file)
    {
        try
        {
            var target = new FileInfo(file).ResolveLinkTarget(returnFinalTarget: true);
            return target is null ? null : Path.GetDirectoryName(target.FullName);
        }
        catch (IOException)
        {
            return null; // broken or looping link
        }
    }

    private static string? PgConfigBinDirectory()
    {
        var pgConfig = PathDirectories().Select(d => Path.Combine(d, ExecutableName("pg_config"))).FirstOrDefault(File.Exists);
        if (pgConfig is null)
        {
            return null;
        }

        try
        {
            var result = Run(pgConfig, ["--bindir"], asPostgresUser: false, Path.GetTempPath());
            var dir = result.StdOut.Trim();
            return result.ExitCode == 0 && Directory.Exists(dir) ? dir : null;
        }
        catch (Exception ex) when (ex is Win32Exception or InvalidOperationException)
        {
            return null; // a broken pg_config is no reason to fail: keep looking
        }
    }

    private static string? NewestDebianBinDirectory()
    {
        const string root = "/usr/lib/postgresql";
        if (!Directory.Exists(root))
        {
            return null;
        }

        return Directory.EnumerateDirectories(root)
            .Select(dir => (dir, version: ParseVersion(Path.GetFileName(dir))))
            .Where(x => x.version is not null && IsServerBinDirectory(Path.Combine(x.dir, "bin")))
            .OrderByDescending(x => x.version)
            .Select(x => Path.Combine(x.dir, "bin"))
            .FirstOrDefault();
    }

    private static Version? ParseVersion(string name) =>
        Version.TryParse(name.Contains('.', StringComparison.Ordinal) ? name : name + ".0", out var v) ? v : null;

    // ---- who are we -----------------------------------------------------------------------------

    private static readonly Lazy<bool> IsRootLazy = new(DetectRoot);

    /// <summary>True when running as root on Unix: PostgreSQL must then run as the postgres OS user.</summary>
    [UnsupportedOSPlatformGuard("windows")]
    private static bool IsRoot => !OperatingSystem.IsWindows() && IsRootLazy.Value;

    private static bool DetectRoot()
    {
        if (OperatingSystem.IsWindows())
        {
            return false;
        }

        if (Environment.UserName == "root")
        {
            return true;
        }

        // "Uid:\treal\teffective\tsaved\tfs" — a renamed root account is still uid 0.
        const string status = "/proc/self/status";
        if (!File.Exists(status))
        {
            return false;
        }

        var uidLine = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal));
        var fields = uidLine?.Split('\t', StringSplitOptions.RemoveEmptyEntries);
        return fields is { Length: >= 3 } && fields[2] == "0";
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
