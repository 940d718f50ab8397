using JasperFx;
using Marten;
using Marten.Services;
using Npgsql;

namespace NationalRegister.Infrastructure;

/// <summary>
/// Marten's own logger writes each command's SQL and parameters at Debug (names and dates of birth among them) and each
/// failure at Error. The register's writes neither: a unique key or version met at commit is an expected outcome (a
/// replay, the same command racing itself) and gets one Debug line; anything else one Error with PostgreSQL's code and
/// message (Npgsql redacts the detail), never the parameters. Timings come from the telemetry.
/// </summary>
public sealed partial class MartenLogging(ILogger<MartenLogging> logger) : IMartenLogger, IMartenSessionLogger
{
    public IMartenSessionLogger StartSession(IQuerySession session) => this;

    public void SchemaChange(string sql) => LogSchemaChange(logger);

    public void LogFailure(NpgsqlCommand command, Exception ex) => Failure(ex);

    public void LogFailure(NpgsqlBatch batch, Exception ex) => Failure(ex);

    public void LogFailure(Exception ex, string message) => Failure(ex);

    public void LogSuccess(NpgsqlCommand command) { }

    public void LogSuccess(NpgsqlBatch batch) { }

    public void RecordSavedChanges(IDocumentSession session, IChangeSet commit) { }

    public void OnBeforeExecute(NpgsqlCommand command) { }

    public void OnBeforeExecute(NpgsqlBatch batch) { }

    private void Failure(Exception ex)
    {
        var postgres = ex as PostgresException ?? ex.InnerException as PostgresException;
        // 23505: a unique key (a messageId record, a stream id); MT003: Marten's stream version check when a stream exists.
        if (postgres?.SqlState is PostgresErrorCodes.UniqueViolation or "MT003" || ex is ConcurrencyException)
            LogExpected(logger, postgres?.SqlState ?? ex.GetType().Name);
        else
            LogFailed(logger, postgres?.SqlState ?? "-", postgres?.MessageText ?? ex.GetType().Name);
    }

    [LoggerMessage(LogLevel.Information, "Marten applied a schema change")]
    private static partial void LogSchemaChange(ILogger logger);

    [LoggerMessage(LogLevel.Debug, "A commit met a unique key or version ({Code}): a replay or a race, answered by the messageId records")]
    private static partial void LogExpected(ILogger logger, string code);

    [LoggerMessage(LogLevel.Error, "A database command failed: {Code} {Reason}")]
    private static partial void LogFailed(ILogger logger, string code, string reason);
}
