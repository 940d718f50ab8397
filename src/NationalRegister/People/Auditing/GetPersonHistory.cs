using System.Text.Json;
using JasperFx.Events;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NationalRegister.Episodes;
using NationalRegister.Infrastructure.Auth;
using NationalRegister.Infrastructure.Commands;
using NationalRegister.Infrastructure.AccessLogging;
using NationalRegister.Infrastructure.Http;
using Wolverine.Http;

namespace NationalRegister.People.Auditing;

public sealed record HistoryEntry(
    Guid EpisodeId, long Version, long Sequence, string Type, DateTimeOffset? OccurredAt, DateTimeOffset RecordedAt,
    string? RecordedBy, string? Force, string? CorrelationId, string? MessageId, object Data)
{
    public static HistoryEntry Of(IEvent e) => new(
        e.StreamId, e.Version, e.Sequence, e.EventType.Name, (e.Data as IEpisodeEvent)?.OccurredAt, e.Timestamp,
        e.UserName, Header(e, EventHeaders.Agency), e.CorrelationId, e.CausationId, e.Data);

    private static string? Header(IEvent e, string key) => e.Headers?.TryGetValue(key, out var value) == true
        ? value switch { JsonElement j => j.ToString(), null => null, _ => value.ToString() }
        : null;
}

public sealed partial class GetPersonHistoryEndpoint
{
    /// <summary>Data Protection Act 2018 s62: every consultation states its justification and is in the access log.</summary>
    [WolverineGet("/api/people/{personId}/history", OperationId = "GetPersonHistory")]
    [AccessLogged(justified: true)]
    [Authorize(Policy = Policies.Auditor)]
    [ProducesResponseType<IReadOnlyList<HistoryEntry>>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    public static async Task<IResult> Get(Guid personId, Caller caller, HttpContext http, IQuerySession session, ILogger<GetPersonHistoryEndpoint> logger,
        CancellationToken ct)
    {
        // The person as now linked: the surviving record and every record merged into it, whichever id was asked for.
        Guid[] records = [.. (await LinkedPerson.Resolve(session, personId, ct)).Records];
        var episodeIds = await session.Query<Episode>().Where(e => records.Contains(e.PersonId)).Select(e => e.Id).ToListAsync(ct);
        if (episodeIds.Count == 0) return Problems.NotFound("person", personId);
        AccessLogging.Read(http, records, episodeIds);

        // Who, whom and when; the justification itself goes to the access log (auditors' work), never to operational logs.
        LogConsulted(logger, caller.User, personId, caller.CorrelationId);

        var events = await session.Events.QueryAllRawEvents()
            .Where(e => episodeIds.Contains(e.StreamId))
            .OrderBy(e => e.Sequence)
            .ToListAsync(ct);
        return Results.Ok(events.Select(HistoryEntry.Of).ToList());
    }

    [LoggerMessage(LogLevel.Information,
        "Person history consulted: {User} read person {PersonId}, with a justification (correlation {CorrelationId})")]
    private static partial void LogConsulted(ILogger logger, string user, Guid personId, string correlationId);
}
