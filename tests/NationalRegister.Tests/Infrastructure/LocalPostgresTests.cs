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
    public void without_binaries_the_message_names_the_three_ways_out()
    {
        var message = new PostgresNotFoundException().Message;
        message.ShouldContain("apt-get install -y postgresql");
        message.ShouldContain("docker compose up -d db");
        message.ShouldContain("ConnectionStrings__Register");
    }

    private Task<LocalPostgresServer> Start() => LocalPostgresServer.StartAsync(new LocalPostgresOptions(_folder), NullLogger.Instance);

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
        var root = Path.GetDirectoryName(_folder)!;
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
    }
}
