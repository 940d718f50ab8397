using System.Data.Common;
using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using NationalRegister.LocalPostgres;
using Npgsql;

namespace NationalRegister.Infrastructure.Postgres;

/// <summary>
/// Where the register's PostgreSQL is: ConnectionStrings:Register when set (nothing is started), otherwise the embedded
/// default, a private server run from the machine's own binaries in Register:DataDirectory, kept running by
/// <see cref="EmbeddedDatabaseSupervisor"/> and stopped when the host is disposed.
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

    /// <summary>
    /// Connections one register process may hold, unless configured (Register:MaxPoolSize) or set in the connection string:
    /// well under the embedded server's max_connections (200), so that a burst of requests queues for a connection (for up
    /// to Npgsql's Timeout) instead of taking every connection the server has.
    /// </summary>
    public const int DefaultMaxPoolSize = 40;

    /// <summary>How the register's connections are named in pg_stat_activity and the server's log.</summary>
    public const string ApplicationName = "national-register";

    /// <summary>For commands that never use the database: the store is still built, but any use of it fails saying why.</summary>
    private const string NoServer = "Host=embedded-postgres-not-started-for-this-command.invalid;Database=register;Username=postgres";

    private LocalPostgresServer? _embedded;
    private string? _connectionString;

    /// <summary>
    /// The configured connection string, or the embedded server's once <see cref="StartAsync"/> has run, with the register's
    /// pool bound and application name unless the connection string sets them itself.
    /// </summary>
    public string ConnectionString => _connectionString ??= WithRegisterDefaults(Configured ?? throw new InvalidOperationException(
        "No connection string 'Register' is configured and the embedded PostgreSQL has not been started: " +
        $"call {nameof(RegisterDatabase)}.{nameof(StartForCommand)} before the event store is built (Program.cs does)."));

    /// <summary>The embedded server, when the register runs one (null with a configured connection string).</summary>
    internal LocalPostgresServer? Embedded => _embedded;

    /// <summary>The embedded server's state, kept by <see cref="EmbeddedDatabaseSupervisor"/>.</summary>
    public EmbeddedDatabaseState State { get; internal set; }

    /// <summary>Which database this is, for /health and logs: never the password.</summary>
    public string Description
    {
        get
        {
            if (_embedded is { } server)
            {
                var state = State switch
                {
                    EmbeddedDatabaseState.Restarting => $"restarting on 127.0.0.1:{server.Port}",
                    EmbeddedDatabaseState.Failed => $"failed: could not restart it on 127.0.0.1:{server.Port}",
                    _ when !server.OwnsServer => $"running on 127.0.0.1:{server.Port} (started by another process, which owns it)",
                    _ => $"running on 127.0.0.1:{server.Port}",
                };
                return $"embedded PostgreSQL, {state}, data directory {server.DataDirectory}";
            }

            if (Configured is null)
            {
                return "embedded PostgreSQL, not started";
            }

            var external = new NpgsqlConnectionStringBuilder(Configured);
            return string.Create(CultureInfo.InvariantCulture, $"external PostgreSQL at {external.Host}:{external.Port}");
        }
    }

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
        State = EmbeddedDatabaseState.Running;
        _connectionString = WithRegisterDefaults(_embedded.ConnectionString);
    }

    /// <summary>
    /// Starts the embedded server, unless the command never touches the database (`token`, `help`, `codegen`, `seed`), so that it is
    /// running before the event store first needs it.
    /// </summary>
    /// <returns>False, with the reason on stderr, when the server cannot be started.</returns>
    public static async Task<bool> StartForCommand(WebApplication app, string[] args)
    {
        var database = app.Services.GetRequiredService<RegisterDatabase>();
        if (args is ["token" or "help" or "?" or "codegen" or "verify-export" or "seed", ..])
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

    private string WithRegisterDefaults(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        // Npgsql's own rendering names each keyword one way and holds only those that were set.
        var given = new DbConnectionStringBuilder { ConnectionString = builder.ConnectionString };
        if (!given.ContainsKey("Maximum Pool Size")) builder.MaxPoolSize = Math.Max(MaxPoolSize(), builder.MinPoolSize);
        if (!given.ContainsKey("Application Name")) builder.ApplicationName = ApplicationName;
        // Marten's Quick append records each event at the database's "now() at time zone 'utc'": that reads as the true
        // instant only in a UTC session, so every connection is one (an event's recorded time is audit evidence).
        builder.Timezone = "UTC";
        // Several hosts (a primary and its hot standbys): every connection goes to whichever is the primary now, so a
        // failover needs no new configuration, and nothing reads from a standby that may lag (docs/scaling.md).
        if (builder.Host?.Contains(',', StringComparison.Ordinal) == true && !given.ContainsKey("Target Session Attributes"))
            builder.TargetSessionAttributes = "read-write";
        return builder.ConnectionString;
    }

    private int MaxPoolSize() => configuration["Register:MaxPoolSize"] switch
    {
        null or "" => DefaultMaxPoolSize,
        var text when int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var size) && size > 0 => size,
        var text => throw new InvalidOperationException($"Register:MaxPoolSize must be a whole number above 0, not '{text}'."),
    };

    public ValueTask DisposeAsync() => _embedded?.DisposeAsync() ?? ValueTask.CompletedTask;

    public void Dispose() => _embedded?.Dispose();
}

public enum EmbeddedDatabaseState
{
    Running,
    Restarting,
    Failed,
}

/// <summary>/health: can the register reach its database, and which one is it?</summary>
public sealed class DatabaseHealthCheck(RegisterDatabase database) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var description = database.Description;
        if (database.State == EmbeddedDatabaseState.Failed) return HealthCheckResult.Unhealthy(description);
        try
        {
            // A connection of its own, not one from the pool: after the server restarts, the pool's idle connections are dead
            // until used once, and the check would fail although the database is back.
            var unpooled = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Pooling = false };
            await using var connection = new NpgsqlConnection(unpooled.ConnectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("select 1", connection);
            await command.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy(description);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy($"{description}: unreachable", e);
        }
    }
}
