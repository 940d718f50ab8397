using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NationalRegister.Infrastructure.AccessLogging;
using NationalRegister.Infrastructure.Auth;
using NationalRegister.Infrastructure.Http;
using NationalRegister.Infrastructure.Integrity;
using NationalRegister.Infrastructure.Postgres;
using NationalRegister.People;
using Npgsql;
using Wolverine.Http;

namespace NationalRegister.Audit.Exporting;

public static class ExportHistoryEndpoint
{
    public static ProblemDetails Validate(string? recipient) =>
        string.IsNullOrWhiteSpace(recipient) || recipient.Trim().Length > 200
            ? new ProblemDetails
            {
                Status = StatusCodes.Status400BadRequest, Title = "Recipient required",
                Detail = "Give recipient: who the history is disclosed to (e.g. recipient=IOPC case 2026/1234), up to 200 characters.",
            }
            : WolverineContinue.NoProblems;

    /// <summary>
    /// A person's history disclosed to a recipient outside the register: a self-contained, signed bundle (JSON lines) that
    /// `verify-export` checks offline. Recorded in the access log as a disclosure, with its recipient (DPA 2018 s62).
    /// </summary>
    [WolverineGet("/api/people/{personId}/history/export", OperationId = "ExportPersonHistory")]
    [AccessLogged(justified: true, disclosure: true)]
    [Authorize(Policy = Policies.Auditor)]
    [ProducesResponseType<string>(StatusCodes.Status200OK, "application/x-ndjson")]
    public static async Task<IResult> Get(Guid personId, string recipient, Caller caller, HttpContext http, IQuerySession session,
        RegisterDatabase database, ChainKey key, TimeProvider clock, CancellationToken ct)
    {
        var person = await LinkedPerson.Resolve(session, personId, ct);
        var episodes = await PersonEpisodes.Ever(session, person.Records, ct);
        if (episodes.Count == 0) return Problems.NotFound("person", personId);
        AccessLogging.Read(http, person.Records, episodes);
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync(ct);
        var bundle = await Bundle.Write(connection, key.Bytes, person.SurvivorId, person.Records, [.. episodes, .. person.Records],
            recipient.Trim(), caller.User, clock.GetUtcNow(), ct);
        return Results.Text(bundle, "application/x-ndjson");
    }
}
