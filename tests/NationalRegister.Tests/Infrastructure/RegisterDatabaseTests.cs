using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using NationalRegister.Infrastructure.Postgres;
using NationalRegister.LocalPostgres;
using Npgsql;

namespace NationalRegister.Tests.Infrastructure;

/// <summary>
/// What the register hands Marten and Wolverine: a bounded connection pool, so that a burst of requests queues for a
/// connection instead of taking every connection the server has; and a /health that tells the truth about its database.
/// </summary>
public sealed class RegisterDatabaseTests : IDisposable
{
    private const string External = "Host=db.example;Port=5433;Database=register;Username=register;Password=s3cret-pw";
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"nr-health-{Guid.NewGuid():N}"[..19], "data");

    [Fact]
    public void the_pool_is_bounded_at_40_connections_by_default()
    {
        var handedOut = new NpgsqlConnectionStringBuilder(Database(External).ConnectionString);

        handedOut.MaxPoolSize.ShouldBe(40);
        handedOut.ApplicationName.ShouldBe("national-register");
        handedOut.Password.ShouldBe("s3cret-pw");
    }

    [Fact]
    public void Register_MaxPoolSize_sets_the_bound()
    {
        var handedOut = new NpgsqlConnectionStringBuilder(Database(External, ("Register:MaxPoolSize", "12")).ConnectionString);

        handedOut.MaxPoolSize.ShouldBe(12);
    }

    [Theory]
    [InlineData("Maximum Pool Size=7")]
    [InlineData("MaxPoolSize=7")]
    public void a_bound_in_the_connection_string_itself_is_kept(string setting)
    {
        var handedOut = new NpgsqlConnectionStringBuilder(
            Database($"{External};{setting};Application Name=etl", ("Register:MaxPoolSize", "12")).ConnectionString);

        handedOut.MaxPoolSize.ShouldBe(7);
        handedOut.ApplicationName.ShouldBe("etl");
    }

    [Fact]
    public async Task the_embedded_server_gets_the_bounded_pool_too()
    {
        await using var database = Database(connectionString: null, ("Register:DataDirectory", _folder));
        await database.StartAsync();

        new NpgsqlConnectionStringBuilder(database.ConnectionString).MaxPoolSize.ShouldBe(40);
    }

    [Fact]
    public async Task health_is_healthy_straight_after_the_database_restarts()
    {
        var first = await LocalPostgresServer.StartAsync(new LocalPostgresOptions(_folder), NullLogger.Instance);
        var check = new DatabaseHealthCheck(Database(first.ConnectionString));
        (await check.CheckHealthAsync(new HealthCheckContext())).Status.ShouldBe(HealthStatus.Healthy);

        await first.DisposeAsync();
        await using var second = await LocalPostgresServer.StartAsync(
            new LocalPostgresOptions(_folder, PreferredPort: first.Port), NullLogger.Instance);

        second.Port.ShouldBe(first.Port);
        var afterRestart = await check.CheckHealthAsync(new HealthCheckContext());
        afterRestart.Status.ShouldBe(HealthStatus.Healthy, afterRestart.Exception?.Message);
    }

    [Fact]
    public async Task health_names_an_external_database_by_host_and_port_and_never_its_password()
    {
        var reachable = Database(External);
        var unreachable = Database("Host=127.0.0.1;Port=1;Database=register;Username=register;Password=s3cret-pw");

        reachable.Description.ShouldBe("external PostgreSQL at db.example:5433");
        var result = await new DatabaseHealthCheck(unreachable).CheckHealthAsync(new HealthCheckContext());
        result.Status.ShouldBe(HealthStatus.Unhealthy);
        result.Description.ShouldStartWith("external PostgreSQL at 127.0.0.1:1");
        result.Description.ShouldNotContain("s3cret-pw");
    }

    [Fact]
    public async Task health_names_the_embedded_server_its_state_and_data_directory()
    {
        await using var database = Database(connectionString: null, ("Register:DataDirectory", _folder));
        await database.StartAsync();
        var port = new NpgsqlConnectionStringBuilder(database.ConnectionString).Port;

        var running = await new DatabaseHealthCheck(database).CheckHealthAsync(new HealthCheckContext());
        running.Status.ShouldBe(HealthStatus.Healthy);
        running.Description.ShouldBe($"embedded PostgreSQL, running on 127.0.0.1:{port}, data directory {_folder}");

        database.State = EmbeddedDatabaseState.Restarting;
        database.Description.ShouldBe($"embedded PostgreSQL, restarting on 127.0.0.1:{port}, data directory {_folder}");
        database.State = EmbeddedDatabaseState.Failed;
        var failed = await new DatabaseHealthCheck(database).CheckHealthAsync(new HealthCheckContext());
        failed.Status.ShouldBe(HealthStatus.Unhealthy);
        failed.Description.ShouldBe($"embedded PostgreSQL, failed: could not restart it on 127.0.0.1:{port}, data directory {_folder}");
    }

    private static RegisterDatabase Database(string? connectionString, params (string Key, string Value)[] settings) =>
        new(new ConfigurationBuilder()
                .AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))
                    .Append(KeyValuePair.Create("ConnectionStrings:Register", connectionString)))
                .Build(),
            NullLogger<RegisterDatabase>.Instance);

    public void Dispose()
    {
        Os.KillLeftoverPostmaster(_folder);
        var root = Path.GetDirectoryName(_folder)!;
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
    }
}
