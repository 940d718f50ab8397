using Marten;
using Marten.Events;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NationalRegister.Episodes;
using NationalRegister.Infrastructure.Auth;
using NationalRegister.Infrastructure.AccessLogging;
using NationalRegister.Infrastructure.Http;
using Wolverine.Http;

namespace NationalRegister.People.Viewing;

public static class GetPersonEndpoint
{
    /// <summary>Any id of the person answers: a record merged away answers with the record it was merged into.</summary>
    [WolverineGet("/api/people/{personId}", OperationId = "GetPerson")]
    [AccessLogged]
    [Authorize(Policy = Policies.LinkedPersonReader)]
    [ProducesResponseType<PersonView>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    public static async Task<IResult> Get(Guid personId, Caller caller, HttpContext http, IQuerySession session, TimeProvider clock,
        CancellationToken ct)
    {
        var person = await LinkedPerson.Resolve(session, personId, ct);
        Guid[] records = [.. person.Records];
        var episodes = await session.Query<Episode>().Where(e => records.Contains(e.PersonId)).ToListAsync(ct);
        if (episodes.Count == 0) return Problems.NotFound("person", personId);
        AccessLogging.Read(http, records, episodes.Select(e => e.Id));
        // Auditors and analysts see anyone; a force only people it holds an episode for (need to know, MoPI).
        if (caller.IsForce && !episodes.Any(e => EpisodeAccess.IsOwningForce(caller, e)))
            return Problems.Forbidden($"{caller.Agency} has no episode for person {personId}.");

        // The reports behind what the caller may see, and the newest such episode's for the age band: one read of the events.
        var detailed = PersonView.DetailsFor(caller);
        var analysed = caller.Role == Roles.Analyst;
        var newest = episodes.Where(e => analysed || detailed(e.Force)).MaxBy(e => e.LastSeenAt)?.Id;
        Guid[] wanted = [.. episodes.Where(e => detailed(e.Force)).Select(e => e.Id).Concat(newest is { } n ? [n] : []).Distinct()];
        var events = await session.Events.QueryAllRawEvents()
            .Where(e => wanted.Contains(e.StreamId))
            .Where(e => e.EventTypesAre(typeof(MissingReported)))
            .OrderBy(e => e.Sequence)
            .ToListAsync(ct);
        MissingReported[] reports = [.. events.Select(e => e.Data).OfType<MissingReported>()];
        return Results.Ok(PersonView.Of(person, episodes, reports, detailed, analysed, clock.GetUtcNow()));
    }
}
