using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace NationalRegister.Infrastructure.Postgres;

/// <summary>
/// Where the register's PostgreSQL is: ConnectionStrings:Register when set, otherwise the embedded default, a private
/// server started from the machine's binaries on first use (not at configuration time, so commands such as `token`
/// never start one) and stopped when the host is disposed.
/// </summary>
public sealed class RegisterDatabase(IConfiguration configuration, ILogger<RegisterDatabase> logger) : IDisposable
{
    public const string ConnectionStringName = "Register";
    private readonly Lock _gate = new();
    private LocalPostgres? _local;
    private string? _connectionString;

    public string ConnectionString
    {
        get
        {
            lock (_gate)
            {
                return _connectionString ??= configuration.GetConnectionString(ConnectionStringName) is { Length: > 0 } configured
                    ? configured
                    : StartLocal();
            }
        }
    }

    private string StartLocal()
    {
        var dataDirectory = configuration["Register:DataDirectory"] is { Length: > 0 } dir ? dir : LocalPostgres.DefaultDataDirectory();
        _local = LocalPostgres.Start(new LocalPostgresOptions(dataDirectory), logger);
        return _local.ConnectionString;
    }

    public void Dispose() => _local?.Dispose();
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
