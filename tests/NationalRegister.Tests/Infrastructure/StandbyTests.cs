using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using NationalRegister.LocalPostgres;
using Npgsql;

namespace NationalRegister.Tests.Infrastructure;

/// <summary>
/// A hot standby (issue #12): a primary and a streaming replica started from the machine's binaries (pg_basebackup),
/// the register given both hosts. Writes, the async daemon and every other read go to whichever is the primary (Target
/// Session Attributes=read-write): with Marten's read sessions on the standby its daemon read event pages there too,
/// where a lagging page would be skipped for good. The national views alone are read on the standby (ViewReads).
/// </summary>
public sealed class StandbyTests : IAsyncLifetime
{
    private static readonly bool IsRoot = Environment.UserName == "root";
    private readonly string _folder = Path.Combine(Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath(), $"nr-standby-{Guid.NewGuid():N}"[..22]);
    private LocalPostgresServer _primary = null!;
    private string _binaries = "";
    private string _standby = "";
    private int _standbyPort;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        _primary = await LocalPostgresServer.StartAsync(new LocalPostgresOptions(Path.Combine(_folder, "primary"), ThrowawayForTests: true), NullLogger.Instance);
        _binaries = await LocalPostgresServer.FindBinariesAsync() ?? throw new InvalidOperationException("no PostgreSQL binaries");
        _standby = Path.Combine(_folder, "standby");
        if (IsRoot) await Run("chown", "postgres", _folder);
        var primary = new NpgsqlConnectionStringBuilder(_primary.ConnectionString);
        await Run(Path.Combine(_binaries, "pg_basebackup"), "-h", "127.0.0.1", "-p", $"{primary.Port}", "-U", primary.Username!, "-D", _standby,
            "-R", "-X", "stream", "-c", "fast");
        _standbyPort = FreePort();
        await Run(Path.Combine(_binaries, "pg_ctl"), "-D", _standby, "-l", Path.Combine(_standby, "server.log"), "-w", "start",
            "-o", $"-p {_standbyPort} -k {_standby} -c listen_addresses=127.0.0.1 -c max_connections=300"); // as the throwaway primary
    }

    public async Task DisposeAsync()
    {
        try
        {
            await Run(Path.Combine(_binaries, "pg_ctl"), "-D", _standby, "-m", "immediate", "stop");
        }
        finally
        {
            await _primary.DisposeAsync();
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public async Task with_a_standby_in_the_connection_string_the_views_are_read_there_and_everything_else_on_the_primary()
    {
        var primary = new NpgsqlConnectionStringBuilder(_primary.ConnectionString);
        var both = new NpgsqlConnectionStringBuilder(_primary.ConnectionString) { Host = $"127.0.0.1:{primary.Port},127.0.0.1:{_standbyPort}" };
        await using var register = await RunningRegister.Start(new Dictionary<string, string?>
        {
            ["ConnectionStrings__Register"] = both.ConnectionString,
            ["Audit__Anchors__Folder"] = Path.Combine(_folder, "anchors"), ["Audit__Anchors__IntervalMinutes"] = "0",
        });

        for (var i = 0; i < 3; i++) (await register.ReportMissing()).Status.ShouldBe(201, register.Output);
        var clock = Stopwatch.StartNew();
        async Task<int> OpenNow()
        {
            var (status, body) = await register.GetAsAnalyst("/api/analytics/open-episodes?pageSize=1");
            status.ShouldBe(200, body);
            return JsonNode.Parse(body)!["total"]!.GetValue<int>();
        }

        async Task<int> OpenEventually(int expected)
        {
            var total = await OpenNow();
            while (total < expected && clock.Elapsed < TimeSpan.FromMinutes(1))
            {
                await Task.Delay(200);
                total = await OpenNow();
            }

            return total;
        }

        (await OpenEventually(3)).ShouldBe(3);
        // On the standby, only the views' own statements (and their freshness): no event page, no write.
        var onStandby = await Queries(_standbyPort);
        onStandby.ShouldNotBeEmpty();
        onStandby.ShouldAllBe(q => q.Contains("national_episode") || q.Contains("mt_event_progression") || q == "");
        onStandby.ShouldNotContain(q => q.Contains("seq_id >"));

        // With replay paused on the standby, a new report lands on the primary and its projection, yet the view, read on
        // the standby, does not show it (and its asOf says how old it is) until replay resumes.
        await Standby("select pg_wal_replay_pause()");
        (await register.ReportMissing()).Status.ShouldBe(201, register.Output);
        while (await Count(primary.Port, "select count(*) from register.national_episode") < 4 && clock.Elapsed < TimeSpan.FromMinutes(1))
            await Task.Delay(200);
        (await Count(primary.Port, "select count(*) from register.national_episode")).ShouldBe(4);
        (await OpenNow()).ShouldBe(3, "read on the standby, paused before the fourth report");
        (await Count(primary.Port, "select count(*) from register.mt_events where type = 'missing_reported'")).ShouldBe(4, "the write landed");

        await Standby("select pg_wal_replay_resume()");
        (await OpenEventually(4)).ShouldBe(4);
        (await Count(_standbyPort, "select count(*) from register.mt_events where type = 'missing_reported'")).ShouldBe(4, "every event streamed");
    }

    private async Task<long> Count(int port, string sql)
    {
        var builder = new NpgsqlConnectionStringBuilder(_primary.ConnectionString) { Port = port, Pooling = false };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand(sql, connection);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    private async Task Standby(string sql)
    {
        var builder = new NpgsqlConnectionStringBuilder(_primary.ConnectionString) { Port = _standbyPort, Pooling = false };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The last statement of each of the register's connections to the server on this port.</summary>
    private async Task<List<string>> Queries(int port)
    {
        var builder = new NpgsqlConnectionStringBuilder(_primary.ConnectionString) { Port = port, Pooling = false };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select query from pg_stat_activity where application_name = 'national-register'", connection);
        await using var reader = await command.ExecuteReaderAsync();
        List<string> queries = [];
        while (await reader.ReadAsync()) queries.Add(reader.GetString(0));
        return queries;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>PostgreSQL's tools refuse root: as root they run as the postgres OS user, as the embedded default does.</summary>
    private async Task Run(string tool, params string[] args)
    {
        var start = IsRoot && tool != "chown"
            ? new ProcessStartInfo("runuser", ["-u", "postgres", "--", tool, .. args])
            : new ProcessStartInfo(tool, args);
        start.RedirectStandardOutput = start.RedirectStandardError = true;
        start.Environment["PGPASSWORD"] = new NpgsqlConnectionStringBuilder(_primary.ConnectionString).Password;
        using var process = Process.Start(start)!;
        var output = Task.WhenAll(process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync());
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        var text = string.Join("\n", await output);
        var log = Path.Combine(_standby, "server.log");
        if (process.ExitCode != 0 && File.Exists(log)) text += "\n" + await File.ReadAllTextAsync(log);
        process.ExitCode.ShouldBe(0, $"{tool} {string.Join(' ', args)}: {text}");
    }
}
