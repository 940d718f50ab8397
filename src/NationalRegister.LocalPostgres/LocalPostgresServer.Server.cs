using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace NationalRegister.LocalPostgres;

public sealed partial class LocalPostgresServer
{
    // ---- server lifecycle -----------------------------------------------------------------------

    /// <summary>initdb with the password of <see cref="EnsurePasswordFileAsync"/> required for every login (never trust).</summary>
    private static async Task InitDbAsync(string binaries, string dataDirectory, bool throwaway, CancellationToken cancellationToken)
    {
        await EnsurePasswordFileAsync(dataDirectory, cancellationToken).ConfigureAwait(false);
        List<string> args =
        [
            "-D", dataDirectory, "-U", PostgresOsUser, $"--auth-host={ScramSha256}", $"--auth-local={ScramSha256}",
            "--pwfile=" + PasswordFileFor(dataDirectory), "-E", "UTF8", "--no-locale", "--no-instructions",
        ];
        if (throwaway)
        {
            args.Add("--no-sync"); // nothing to make durable in a folder deleted after the test run
        }

        EnsureSucceeded(await RunPostgresToolAsync(binaries, "initdb", dataDirectory, args, cancellationToken).ConfigureAwait(false),
            logFile: null,
            $"Make sure '{dataDirectory}' is empty or an existing PostgreSQL data directory and writable by " +
            $"{(IsRoot ? "the OS user 'postgres'" : "the current user")}, or set ConnectionStrings__Register to another server.");
    }

    /// <summary>Port of the server already running on this data directory, or null (a stale pid file is removed).</summary>
    private static async Task<int?> FindRunningServerPortAsync(string binaries, string dataDirectory, CancellationToken cancellationToken)
    {
        var pidFile = Path.Combine(dataDirectory, "postmaster.pid");
        if (!File.Exists(pidFile))
        {
            return null;
        }

        var status = await RunPostgresToolAsync(binaries, "pg_ctl", dataDirectory, ["status", "-D", dataDirectory], cancellationToken)
            .ConfigureAwait(false);
        if (status.ExitCode != 0)
        {
            return null; // stale after a crash: the server itself replaces it (and cleans up old shared memory)
        }

        // pg_ctl only checks that the pid exists; after a crash it may be a zombie, or (after a container restart)
        // another program's, and then PostgreSQL would refuse to start: remove the stale file.
        var lines = File.Exists(pidFile) ? await File.ReadAllLinesAsync(pidFile, cancellationToken).ConfigureAwait(false) : [];
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

    private static bool IsLivePostgresProcess(string pidLine) =>
        int.TryParse(pidLine.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && IsLivePostgresProcess(pid);

    private static bool IsLivePostgresProcess(int pid)
    {
        if (!Directory.Exists("/proc/self"))
        {
            try
            {
                using var process = Process.GetProcessById(pid); // no procfs (macOS)
                return !process.HasExited;
            }
            catch (ArgumentException)
            {
                return false;
            }
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

    /// <summary>pg_ctl start on <paramref name="port"/>, or on a free port when null; returns the port.</summary>
    private static async Task<int> StartServerAsync(string binaries, string dataDirectory, string socketDirectory, bool throwaway,
        int? port, CancellationToken cancellationToken)
    {
        var logFile = Path.Combine(dataDirectory, LogFileName);
        // Tests trade durability for speed; the register's own server keeps every commit.
        var tuning = throwaway
            ? "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
            : "-c max_connections=200";
        // The log is for running the server, not a copy of the register's data: no statement text with an error, and
        // no DETAIL lines (a unique violation's DETAIL quotes the key).
        const string privacy = "-c log_min_error_statement=panic -c log_error_verbosity=terse";
        if (port is not null)
        {
            RemoveStaleSocketLock(socketDirectory, port.Value);
        }

        for (var attempt = 1; ; attempt++)
        {
            var listenOn = port ?? FreeTcpPort();
            // pg_ctl passes -o through /bin/sh, hence the quoting of the socket folder.
            var serverOptions = string.Create(CultureInfo.InvariantCulture,
                $"-p {listenOn} -k {ShellQuote(socketDirectory)} -c listen_addresses=127.0.0.1 {tuning} {privacy}");
            List<string> args = ["start", "-w", "-t", "60", "-D", dataDirectory, "-l", logFile, "-o", serverOptions];
            var start = await RunPostgresToolAsync(binaries, "pg_ctl", dataDirectory, args, cancellationToken).ConfigureAwait(false);
            if (start.ExitCode == 0)
            {
                return listenOn;
            }

            // Another process may have taken a free port between our probe and the server's bind: try another. A port
            // asked for is kept, because connection strings name it.
            if (port is null && attempt < 3 && TailLines(logFile, 20).Contains("could not bind", StringComparison.Ordinal))
            {
                continue;
            }

            throw Failure(start, logFile,
                $"Read the server log above. If another server uses '{dataDirectory}', stop it with pg_ctl stop -D; " +
                (port is null ? "" : $"if another program listens on port {port}, stop it; ") +
                "delete the folder to start afresh; or set ConnectionStrings__Register to another PostgreSQL server.");
        }
    }

    /// <summary>
    /// A killed postmaster leaves its socket's lock file behind, naming its pid. PostgreSQL refuses to start while that pid
    /// exists, and a zombie (until PID 1 reaps it, seconds in some containers) still exists: remove the file once the
    /// pid is no live postgres process, as <see cref="FindRunningServerPortAsync"/> does for postmaster.pid.
    /// </summary>
    private static void RemoveStaleSocketLock(string socketDirectory, int port)
    {
        var lockFile = Path.Combine(socketDirectory, string.Create(CultureInfo.InvariantCulture, $".s.PGSQL.{port}.lock"));
        try
        {
            if (File.Exists(lockFile) && !IsLivePostgresProcess(File.ReadLines(lockFile).FirstOrDefault() ?? ""))
            {
                File.Delete(lockFile);
            }
        }
        catch (IOException)
        {
            // gone meanwhile, or not ours to judge: PostgreSQL reports it if it matters
        }
    }

    /// <summary>A superuser connection to the 'postgres' database, retried while the server is still starting up.</summary>
    private static async Task<NpgsqlConnection> OpenAdminConnectionAsync(int port, string? password, string dataDirectory,
        CancellationToken cancellationToken)
    {
        var adminConnection = BuildConnectionString(port, "postgres", password, pooling: false);
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            var connection = new NpgsqlConnection(adminConnection);
            try
            {
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                return connection;
            }
            catch (NpgsqlException ex) when (IsTransient(ex) && Stopwatch.GetElapsedTime(started) < ConnectRetryWindow)
            {
                // "the database system is starting up", or the socket is not open yet
                await connection.DisposeAsync().ConfigureAwait(false);
                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            }
            catch (NpgsqlException ex)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                throw new InvalidOperationException(
                    $"PostgreSQL from '{dataDirectory}' is running on 127.0.0.1:{port} but connecting to it failed: " +
                    $"{ex.Message}{Environment.NewLine}--- last lines of the server log ---{Environment.NewLine}" +
                    $"{TailLines(Path.Combine(dataDirectory, LogFileName), 20)}{Environment.NewLine}" +
                    "Check the server log, or set ConnectionStrings__Register to another PostgreSQL server.", ex);
            }
        }
    }

    private static async Task EnsureDatabaseAsync(int port, string database, string password, string dataDirectory,
        CancellationToken cancellationToken)
    {
        var connection = await OpenAdminConnectionAsync(port, password, dataDirectory, cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            if (!await DatabaseExistsAsync(connection, database, cancellationToken).ConfigureAwait(false))
            {
                await CreateDatabaseAsync(connection, database, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static async Task<bool> DatabaseExistsAsync(NpgsqlConnection connection, string database, CancellationToken cancellationToken)
    {
        var exists = new NpgsqlCommand("select 1 from pg_database where datname = $1", connection)
        {
            Parameters = { new() { Value = database } },
        };
        await using (exists.ConfigureAwait(false))
        {
            return await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null;
        }
    }

    private static async Task CreateDatabaseAsync(NpgsqlConnection connection, string database, CancellationToken cancellationToken)
    {
        // CREATE DATABASE takes no parameters: quote the identifier instead.
        var quoted = "\"" + database.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        var create = new NpgsqlCommand("CREATE DATABASE " + quoted, connection);
        await using (create.ConfigureAwait(false))
        {
            try
            {
                await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.DuplicateDatabase or PostgresErrorCodes.UniqueViolation)
            {
                // Another process created it first.
            }
        }
    }

    private static bool IsTransient(NpgsqlException ex) =>
        ex is PostgresException pg
            ? pg.SqlState == PostgresErrorCodes.CannotConnectNow
            : ex.IsTransient || ex.InnerException is SocketException or IOException;

    private static string BuildConnectionString(int port, string database, string? password, bool pooling)
    {
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1", Port = port, Database = database, Username = PostgresOsUser, Password = password,
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
}
