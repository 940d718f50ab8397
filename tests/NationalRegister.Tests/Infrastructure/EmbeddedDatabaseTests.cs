using System.Globalization;
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

    [Fact]
    public async Task a_register_stopped_as_a_service_manager_stops_it_stops_its_server_too()
    {
        await using var register = await RunningRegister.Start(EmbeddedSettings());
        var postmaster = Os.PostmasterPid(DataDirectory) ?? throw new InvalidOperationException("no server ran");

        (await Os.Run("kill", "-TERM", register.ProcessId.ToString(CultureInfo.InvariantCulture))).ExitCode.ShouldBe(0);

        (await register.WaitForExit(TimeSpan.FromSeconds(30))).ShouldBe(0, register.Output);
        await Os.WaitUntil(() => !Os.IsAlive(postmaster), TimeSpan.FromSeconds(5), "the server to stop with the register");
        File.Exists(Path.Combine(DataDirectory, "postmaster.pid")).ShouldBeFalse();
    }

    [Fact]
    public async Task after_its_postmaster_is_killed_the_register_restarts_it_and_serves_again()
    {
        await using var register = await RunningRegister.Start(EmbeddedSettings());
        (await register.Health()).ShouldBe("Healthy", register.Output);
        // Leaves connections in the pools, dead once the server is killed.
        (await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => register.ReportMissing()))).ShouldAllBe(r => r.Status == 201);

        var killed = Os.KillPostmaster(DataDirectory);

        await Os.WaitUntil(async () => Os.PostmasterPid(DataDirectory) is { } pid && pid != killed && await register.Health() == "Healthy",
            TimeSpan.FromSeconds(30), "the register to restart its server");
        var replies = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => register.ReportMissing()));
        replies.ShouldAllBe(r => r.Status == 201, string.Join('\n', replies.Select(r => r.Body)) + register.Output);
    }

    [Fact]
    public async Task when_its_data_folder_is_gone_as_well_the_register_exits_non_zero()
    {
        await using var register = await RunningRegister.Start(EmbeddedSettings());

        Os.KillPostmaster(DataDirectory);
        Directory.Move(DataDirectory, DataDirectory + "-moved");

        var exitCode = await register.WaitForExit(TimeSpan.FromSeconds(30));
        register.Output.ShouldContain("could not be restarted");
        exitCode.ShouldNotBe(0, register.Output);
    }

    [Fact]
    public async Task after_the_register_is_killed_the_next_start_takes_its_server_over_and_stops_it()
    {
        var register = await RunningRegister.Start(EmbeddedSettings());
        await register.Kill();
        await register.DisposeAsync();
        var orphan = Os.PostmasterPid(DataDirectory) ?? throw new InvalidOperationException("no server ran");
        Os.IsAlive(orphan).ShouldBeTrue();

        await using (var server = await LocalPostgresServer.StartAsync(new LocalPostgresOptions(DataDirectory), NullLogger.Instance))
        {
            server.OwnsServer.ShouldBeTrue();
            (await LocalPostgresTests.Scalar(server.ConnectionString, "select 1")).ShouldBe(1);
        }

        File.Exists(Path.Combine(DataDirectory, "postmaster.pid"))
            .ShouldBeFalse("the orphaned server is stopped with the one that took it over");
        // The postmaster removes its pid file just before it exits: give it that moment.
        await Os.WaitUntil(() => !Os.IsAlive(orphan), TimeSpan.FromSeconds(5), "the orphaned postmaster to exit");
    }

    private Dictionary<string, string?> EmbeddedSettings() =>
        new() { ["ConnectionStrings__Register"] = "", ["Register__DataDirectory"] = DataDirectory };

    private async Task<(int ExitCode, string Output)> Register(params string[] args)
    {
        var (exitCode, stdout, stderr) = await RegisterProcess.Run(EmbeddedSettings(), args);
        return (exitCode, stdout + stderr);
    }

    public void Dispose()
    {
        Os.KillLeftoverPostmaster(DataDirectory);
        Os.KillLeftoverPostmaster(DataDirectory + "-moved");
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }
}
