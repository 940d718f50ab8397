using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using NationalRegister.LocalPostgres;
using Npgsql;

namespace NationalRegister.Tests.Infrastructure;

/// <summary>The embedded default PostgreSQL: started from the machine's binaries, kept between runs, never doubled.</summary>
public sealed class LocalPostgresTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"nr-local-{Guid.NewGuid():N}"[..18], "data");

    [Fact]
    public async Task data_survives_a_restart_on_the_same_folder()
    {
        await using (var first = await Start())
        {
            await Execute(first.ConnectionString, "create table kept (id int); insert into kept values (42)");
        }

        await using var second = await Start();
        (await Scalar(second.ConnectionString, "select id from kept")).ShouldBe(42);
    }

    [Fact]
    public async Task a_second_start_on_a_running_folder_reuses_it_and_leaves_it_running()
    {
        await using var owner = await Start();
        await using (var borrower = await Start())
        {
            borrower.Port.ShouldBe(owner.Port);
        }

        (await Scalar(owner.ConnectionString, "select 1")).ShouldBe(1);
    }

    [Fact]
    public async Task its_owner_restarts_a_killed_server_on_the_same_port_with_its_data()
    {
        await using var server = await Start();
        await Execute(server.ConnectionString, "create table kept (id int); insert into kept values (42)");

        Os.KillPostmaster(_folder);
        await Os.WaitUntil(() => !server.IsRunning, TimeSpan.FromSeconds(5), "the server to be seen dead");
        // The killed server's backends and pid can linger a moment: retry, as the register's supervisor does.
        await Os.WaitUntil(async () =>
        {
            try
            {
                await server.RestartAsync();
                return true;
            }
            catch (InvalidOperationException)
            {
                await Task.Delay(200);
                return false;
            }
        }, TimeSpan.FromSeconds(15), "a restart");

        server.IsRunning.ShouldBeTrue();
        (await Scalar(server.ConnectionString, "select id from kept")).ShouldBe(42); // the same connection string: same port
    }

    [Fact]
    public async Task a_restart_never_initialises_an_empty_database_in_place_of_a_lost_one()
    {
        await using var server = await Start();
        Os.KillPostmaster(_folder);
        Directory.Move(_folder, _folder + "-moved");

        server.CanRestart.ShouldBeFalse();
        await Should.ThrowAsync<InvalidOperationException>(() => server.RestartAsync());
        File.Exists(Path.Combine(_folder, "PG_VERSION")).ShouldBeFalse();
    }

    [Fact]
    public async Task connecting_without_the_password_is_refused()
    {
        await using var server = await Start();

        var overTcp = WithoutPassword(server.ConnectionString);
        await Should.ThrowAsync<NpgsqlException>(() => Scalar(overTcp, "select 1"));
        // The unix socket (in the data directory, for a path this short) asks for it too.
        var overSocket = new NpgsqlConnectionStringBuilder(overTcp) { Host = server.DataDirectory }.ConnectionString;
        await Should.ThrowAsync<NpgsqlException>(() => Scalar(overSocket, "select 1"));
        (await Scalar(server.ConnectionString, "select 1")).ShouldBe(1);
    }

    [Fact]
    public async Task another_os_user_cannot_log_in()
    {
        if (!Os.IsRoot) return; // acting as another OS user takes root (runuser); CI runs as root

        await using var server = await Start();

        var (exitCode, output) = await Os.Run("runuser", "-u", "nobody", "--", "psql", "-w", "-h", "127.0.0.1",
            "-p", server.Port.ToString(CultureInfo.InvariantCulture), "-U", "postgres", "-d", "postgres", "-c", "select 1");
        exitCode.ShouldNotBe(0, output);
        output.ShouldContain("password");
    }

    [Fact]
    public async Task the_password_is_kept_where_only_the_server_owner_can_read_it()
    {
        await using var server = await Start();

        new NpgsqlConnectionStringBuilder(server.ConnectionString).Password.ShouldBe(File.ReadAllText(server.PasswordFile).Trim());
        if (OperatingSystem.IsWindows()) return; // no file modes there
        File.GetUnixFileMode(server.PasswordFile).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        if (!Os.IsRoot) return;
        (await Os.Run("stat", "-c", "%U", server.PasswordFile)).Output.Trim().ShouldBe("postgres");
        (await Os.Run("runuser", "-u", "nobody", "--", "cat", server.PasswordFile)).ExitCode.ShouldNotBe(0);
    }

    [Fact]
    public async Task a_folder_initialised_with_trust_is_converted_on_the_next_start()
    {
        await InitDbWithTrust(_folder);

        await using var server = await Start();

        await Should.ThrowAsync<NpgsqlException>(() => Scalar(WithoutPassword(server.ConnectionString), "select 1"));
        (await Scalar(server.ConnectionString, "select 1")).ShouldBe(1);
        ActiveLines(Path.Combine(_folder, "pg_hba.conf")).ShouldNotContain(line => line.Contains("trust", StringComparison.Ordinal));
    }

    [Fact]
    public async Task the_server_log_carries_no_statement_text_or_data()
    {
        const string person = "Jordan Sample, GMP-P-55301";
        await using var server = await Start();
        await Execute(server.ConnectionString, $"create table people (name text primary key); insert into people values ('{person}')");

        await Should.ThrowAsync<PostgresException>(() => Execute(server.ConnectionString, $"insert into people values ('{person}')"));

        var log = Path.Combine(server.DataDirectory, "server.log");
        await Os.WaitUntil(() => ReadShared(log).Contains("duplicate key", StringComparison.Ordinal), TimeSpan.FromSeconds(5),
            "the error in the log");
        ReadShared(log).ShouldNotContain("GMP-P-55301");
    }

    [Fact]
    public void without_binaries_the_message_names_the_three_ways_out()
    {
        var message = new PostgresNotFoundException().Message;
        message.ShouldContain("apt-get install -y postgresql");
        message.ShouldContain("docker compose up -d db");
        message.ShouldContain("ConnectionStrings__Register");
    }

    private Task<LocalPostgresServer> Start() => LocalPostgresServer.StartAsync(new LocalPostgresOptions(_folder), NullLogger.Instance);

    internal static string WithoutPassword(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Password = null, Pooling = false }.ConnectionString;

    /// <summary>A data folder made the way the launcher made them before passwords: initdb --auth=trust.</summary>
    internal static async Task InitDbWithTrust(string dataDirectory)
    {
        var binaries = await LocalPostgresServer.FindBinariesAsync() ?? throw new InvalidOperationException("No PostgreSQL binaries");
        Directory.CreateDirectory(Path.GetDirectoryName(dataDirectory)!);
        if (Os.IsRoot)
        {
            (await Os.Run("install", "-d", "-o", "postgres", "-g", "postgres", "-m", "700", dataDirectory)).ExitCode.ShouldBe(0);
        }
        else
        {
            Directory.CreateDirectory(dataDirectory); // initdb makes it private
        }

        var (exitCode, output) = await Os.RunAsPostgresUser(Path.Combine(binaries, "initdb"), "-D", dataDirectory, "--auth=trust",
            "-U", "postgres", "-E", "UTF8", "--no-locale", "--no-instructions", "--no-sync");
        exitCode.ShouldBe(0, output);
    }

    internal static string[] ActiveLines(string file) =>
        [.. File.ReadAllLines(file).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'))];

    internal static string ReadShared(string file)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    internal static async Task Execute(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    internal static async Task<int> Scalar(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt32(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public void Dispose()
    {
        Os.KillLeftoverPostmaster(_folder);
        Os.KillLeftoverPostmaster(_folder + "-moved");
        var root = Path.GetDirectoryName(_folder)!;
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
    }
}
