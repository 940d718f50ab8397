using Microsoft.Extensions.Diagnostics.HealthChecks;
using NationalRegister.LocalPostgres;
using Npgsql;

namespace NationalRegister.Infrastructure.Postgres;

/// <summary>
/// Where the register's PostgreSQL is: ConnectionStrings:Register when set (nothing is started), otherwise the embedded
/// default, a private server run from the machine's own binaries in Register:DataDirectory and stopped when the host
/// is disposed.
/// </summary>
/// <remarks>
/// The event store is built, and reads <see cref="ConnectionString"/>, as soon as Program.cs maps the endpoints (Wolverine
/// inspects it for [WriteAggregate]), or else when the host resolves its hosted services (Marten's activator takes it in
/// its constructor, before any hosted service starts), and `db-apply` or `projections` start no hosted service at all.
/// So the embedded server is started by <see cref="StartForCommand"/>, straight after the host is built.
/// </remarks>
public sealed class RegisterDatabase(IConfiguration configuration, ILogger<RegisterDatabase> logger) : IAsyncDisposable, IDisposable
{
    public const string ConnectionStringName = "Register";

    /// <summary>For commands that never use the database: the store is still built, but any use of it fails saying why.</summary>
    private const string NoServer = "Host=embedded-postgres-not-started-for-this-command.invalid;Database=register;Username=postgres";

    private LocalPostgresServer? _embedded;
    private string? _connectionString;

    /// <summary>The configured connection string, or the embedded server's once <see cref="StartAsync"/> has run.</summary>
    public string ConnectionString => Configured ?? _connectionString ?? throw new InvalidOperationException(
        "No connection string 'Register' is configured and the embedded PostgreSQL has not been started: " +
        $"call {nameof(RegisterDatabase)}.{nameof(StartForCommand)} before the event store is built (Program.cs does).");

    private string? Configured => configuration.GetConnectionString(ConnectionStringName) is { Length: > 0 } configured ? configured : null;

    /// <summary>Starts the embedded server, unless a connection string is configured or it already runs.</summary>
    /// <exception cref="PostgresNotFoundException">No server binaries on this machine.</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (Configured is not null || _embedded is not null) return;
        var dataDirectory = configuration["Register:DataDirectory"] is { Length: > 0 } dir
            ? dir
            : LocalPostgresServer.DefaultDataDirectory();
        _embedded = await LocalPostgresServer.StartAsync(new LocalPostgresOptions(dataDirectory), logger, cancellationToken);
        _connectionString = _embedded.ConnectionString;
    }

    /// <summary>
    /// Starts the embedded server, unless the command never touches the database (`token`, `help`, `codegen`), so that it is
    /// running before the event store first needs it.
    /// </summary>
    /// <returns>False, with the reason on stderr, when the server cannot be started.</returns>
    public static async Task<bool> StartForCommand(WebApplication app, string[] args)
    {
        var database = app.Services.GetRequiredService<RegisterDatabase>();
        if (args is ["token" or "help" or "?" or "codegen", ..])
        {
            database._connectionString = NoServer;
            return true;
        }

        try
        {
            await database.StartAsync();
            return true;
        }
        catch (Exception e) when (e is PostgresNotFoundException or InvalidOperationException)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return false;
        }
    }

    public ValueTask DisposeAsync() => _embedded?.DisposeAsync() ?? ValueTask.CompletedTask;

    public void Dispose() => _embedded?.Dispose();
}

/// <summary>/health: can the register reach its database?</summary>
public sealed class DatabaseHealthCheck(RegisterDatabase database) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = new NpgsqlConnection(database.ConnectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("select 1", connection);
            await command.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy("PostgreSQL reachable");
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy("PostgreSQL unreachable", e);
        }
    }
}
