using Microsoft.Extensions.Options;
using NationalRegister.Infrastructure.Integrity;
using NationalRegister.Infrastructure.Postgres;
using Npgsql;

namespace NationalRegister.Audit.Anchoring;

/// <summary>Writes a checkpoint of the stream heads every Audit:Anchors:IntervalMinutes, while the register runs.</summary>
public sealed partial class PeriodicCheckpoints(
    IOptions<AnchorSettings> settings, CheckpointFolder folder, RegisterDatabase database, TimeProvider clock, ILogger<PeriodicCheckpoints> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (settings.Value.IntervalMinutes <= 0) return;
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(settings.Value.IntervalMinutes));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var connection = new NpgsqlConnection(database.ConnectionString);
                await connection.OpenAsync(stoppingToken);
                if (await folder.Write(connection, clock, stoppingToken) is { } file) LogWritten(logger, file);
            }
            catch (Exception e) when (e is NpgsqlException or IOException or UnauthorizedAccessException)
            {
                // The next tick tries again; an operator sees it in the log and in `verify`'s age of the last checkpoint.
                LogFailed(logger, folder.Path, e.Message);
            }
        }
    }

    [LoggerMessage(LogLevel.Information, "Checkpoint written: {File}")]
    private static partial void LogWritten(ILogger logger, string file);

    [LoggerMessage(LogLevel.Error, "Could not write a checkpoint to {Folder}: {Reason}. Check that the folder is writable and the database reachable.")]
    private static partial void LogFailed(ILogger logger, string folder, string reason);
}
