using Microsoft.Extensions.Logging.Abstractions;
using NationalRegister.Infrastructure;
using NationalRegister.LocalPostgres;
using NationalRegister.Tests.Api;

namespace NationalRegister.Tests.Infrastructure;

/// <summary>
/// The built register with no connection string, run as the README runs it: the commands that use the database get
/// the embedded server in Register:DataDirectory, stopped when the command's host is disposed; the others start none.
/// </summary>
public sealed class EmbeddedDatabaseTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"nr-embedded-{Guid.NewGuid():N}"[..21]);

    private string DataDirectory => Path.Combine(_root, "data");

    [Fact]
    public async Task db_apply_without_a_connection_string_migrates_the_embedded_server_and_stops_it()
    {
        var (exitCode, output) = await Register("db-apply");

        exitCode.ShouldBe(0, output);
        File.Exists(Path.Combine(DataDirectory, "PG_VERSION")).ShouldBeTrue(output);
        File.Exists(Path.Combine(DataDirectory, "postmaster.pid")).ShouldBeFalse("the server is stopped with the host");

        await using var server = await LocalPostgresServer.StartAsync(new LocalPostgresOptions(DataDirectory), NullLogger.Instance);
        (await LocalPostgresTests.Scalar(server.ConnectionString,
            $"select count(*) from information_schema.tables where table_schema = '{EventStore.Schema}'")).ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task the_token_command_starts_no_server()
    {
        var (exitCode, output) = await Register("token", "--role", "analyst", "--user", "Analyst 1");

        exitCode.ShouldBe(0, output);
        Directory.Exists(DataDirectory).ShouldBeFalse();
    }

    private async Task<(int ExitCode, string Output)> Register(params string[] args)
    {
        var (exitCode, stdout, stderr) = await RegisterProcess.Run(
            new Dictionary<string, string?> { ["ConnectionStrings__Register"] = "", ["Register__DataDirectory"] = DataDirectory }, args);
        return (exitCode, stdout + stderr);
    }

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }
}
