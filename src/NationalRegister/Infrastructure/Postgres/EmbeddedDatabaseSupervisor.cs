using System.ComponentModel;
using Marten;
using NationalRegister.LocalPostgres;
using Npgsql;
using Weasel.Postgresql;
using Wolverine.Runtime;

namespace NationalRegister.Infrastructure.Postgres;

/// <summary>
/// Keeps the embedded PostgreSQL that this register owns running: checks every second that its postmaster lives and, when
/// it has died (kill -9, a crash, the OOM killer), starts it again on the same port, so the event store's connection
/// string stays valid and the register serves again without a restart of its own. When that cannot be done, the register
/// stops with exit code 1 rather than answer 500 forever.
/// </summary>
public sealed partial class EmbeddedDatabaseSupervisor(
    RegisterDatabase database, IHostApplicationLifetime lifetime, IServiceProvider services, ILogger<EmbeddedDatabaseSupervisor> logger)
    : BackgroundService
{
    private static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);

    /// <summary>Waits between restart attempts: the old server's backends may need a moment to let go of its shared memory.</summary>
    private static readonly TimeSpan[] Backoff = [.. new[] { 0.5, 1, 2, 4, 8 }.Select(TimeSpan.FromSeconds)];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // An external database, or an embedded one another process owns (and restarts), is not ours to restart.
        if (database.Embedded is not { OwnsServer: true } server) return;
        // Stopped with the register once the host has stopped, whether or not the host is disposed afterwards.
        lifetime.ApplicationStopped.Register(database.Dispose);
        try
        {
            using var timer = new PeriodicTimer(CheckInterval);
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (server.IsRunning) continue;
                if (!await RestartAsync(server, stoppingToken)) return;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // the register is stopping, and the server with it
        }
    }

    private async Task<bool> RestartAsync(LocalPostgresServer server, CancellationToken stoppingToken)
    {
        Log.Died(logger, server.Port, server.DataDirectory);
        database.State = EmbeddedDatabaseState.Restarting;
        // At once, not only after the restart: requests that come in as soon as the new server accepts connections
        // must not be handed the dead ones.
        ClearConnectionPools();
        string reason;
        for (var attempt = 0; ; attempt++)
        {
            if (!server.CanRestart)
            {
                reason = "its data directory is gone (no PG_VERSION), and a restart never initialises an empty one in its place";
                break;
            }

            try
            {
                await server.RestartAsync(stoppingToken);
                ClearConnectionPools();
                database.State = EmbeddedDatabaseState.Running;
                return true;
            }
            catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException or Win32Exception)
            {
                if (attempt == Backoff.Length)
                {
                    reason = $"{attempt + 1} attempts failed, the last with: {FirstLine(e.Message)}";
                    break;
                }

                Log.AttemptFailed(logger, e, attempt + 1, Backoff[attempt].TotalSeconds);
                await Task.Delay(Backoff[attempt], stoppingToken);
            }
        }

        database.State = EmbeddedDatabaseState.Failed;
        Log.GaveUp(logger, server.Port, server.DataDirectory, reason);
        Environment.ExitCode = 1;
        lifetime.StopApplication();
        return false;
    }

    /// <summary>
    /// Idle pooled connections to the dead server would each fail once when next used ("terminating connection due to
    /// unexpected postmaster exit"), and connections in use when it died would go back to the pool. Clearing closes the
    /// idle ones and any returned later. NpgsqlConnection.ClearAllPools covers connections opened from connection strings;
    /// Marten's and Wolverine's data sources keep pools of their own.
    /// </summary>
    private void ClearConnectionPools()
    {
        NpgsqlConnection.ClearAllPools();
        if (services.GetService<IDocumentStore>()?.Storage.Database is PostgresqlDatabase { DataSource: var martens }) martens.Clear();
        if (services.GetService<IWolverineRuntime>()?.Storage is Wolverine.RDBMS.MessageDatabase<NpgsqlConnection>
            { DataSource: NpgsqlDataSource wolverines }) wolverines.Clear();
    }

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning,
            Message = "The embedded PostgreSQL on 127.0.0.1:{Port} (data directory {DataDirectory}) has stopped: restarting it")]
        public static partial void Died(ILogger logger, int port, string dataDirectory);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Restart attempt {Attempt} failed; trying again in {DelaySeconds} s")]
        public static partial void AttemptFailed(ILogger logger, Exception exception, int attempt, double delaySeconds);

        [LoggerMessage(Level = LogLevel.Critical,
            Message = "The embedded PostgreSQL on 127.0.0.1:{Port} (data directory {DataDirectory}) could not be restarted: {Reason}. " +
                "Stopping the register (exit code 1).")]
        public static partial void GaveUp(ILogger logger, int port, string dataDirectory, string reason);
    }
}

public static class RegisterDatabaseSetup
{
    /// <summary>The register's PostgreSQL (<see cref="RegisterDatabase"/>) and, when it is the embedded one, its supervisor.</summary>
    public static IServiceCollection AddRegisterDatabase(this IServiceCollection services)
    {
        services.AddSingleton<RegisterDatabase>();
        services.AddHostedService<EmbeddedDatabaseSupervisor>();
        return services;
    }
}
