using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NationalRegister.Infrastructure.Auth;
using NationalRegister.Infrastructure.AccessLogging;
using NationalRegister.Infrastructure.Http;
using NationalRegister.Infrastructure.Integrity;
using NationalRegister.Infrastructure.Postgres;
using Npgsql;
using Wolverine.Http;

namespace NationalRegister.Audit.Verifying;

/// <summary>The latest checkpoint the verification compared with: how far it reaches, and anything wrong with the folder.</summary>
public sealed record CheckpointState(long ToSequence, IReadOnlyList<string> Problems);

/// <param name="Intact">Every link verifies, every version is there, and every head is at or past its checkpoint.</param>
public sealed record Verification(Guid PersonId, bool Intact, long Events, long Streams, IReadOnlyList<ChainBreak> Breaks, CheckpointState Checkpoint);

/// <summary>Can an auditor trust this child's history: the chains of every stream that holds it, recomputed now.</summary>
public static class VerifyPersonEndpoint
{
    [WolverineGet("/api/audit/verify", OperationId = "VerifyPerson")]
    [AccessLogged(justified: true)]
    [Authorize(Policy = Policies.Auditor)]
    [ProducesResponseType<Verification>(StatusCodes.Status200OK)]
    public static async Task<IResult> Get(Guid? personId, HttpContext http, IQuerySession session, ChainVerifier verifier, CheckpointFolder checkpoints,
        RegisterDatabase database, CancellationToken ct)
    {
        if (personId is not { } id)
            return Problems.Problem(StatusCodes.Status400BadRequest, "Whose history?", "Give personId: the verify command checks the whole register.");
        var (person, episodes, streams) = await PersonStreams.Of(session, id, ct);
        if (streams.Length == 0) return Problems.NotFound("person", id);
        AccessLogging.Read(http, person.Records, episodes);
        var anchors = checkpoints.Read();
        var (problems, heads, toSequence) = (anchors.Problems, anchors.Streams, anchors.ToSequence);
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync(ct);
        var report = await verifier.Verify(connection, streams, heads.Where(h => streams.Contains(h.Key)).ToDictionary(), null, ct);
        return Results.Ok(new Verification(person.SurvivorId, report.Intact && problems.Count == 0, report.Events, report.Streams, report.Breaks,
            new CheckpointState(toSequence, problems)));
    }
}
