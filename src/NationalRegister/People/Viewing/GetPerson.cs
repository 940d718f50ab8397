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
    /// <summary>
    /// Any id of the person answers: a record merged away answers with the record it was merged into. With <c>asOf</c>, the
    /// person as the register knew them then (links, episodes and details recorded by that moment; counts up to it): auditors.
    /// </summary>
    [WolverineGet("/api/people/{personId}", OperationId = "GetPerson")]
    [AccessLogged]
    [Authorize(Policy = Policies.LinkedPersonReader)]
    [ProducesResponseType<PersonView>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    public static async Task<IResult> Get(Guid personId, DateTimeOffset? asOf, Caller caller, HttpContext http, IQuerySession session,
        TimeProvider clock, CancellationToken ct)
    {
        if (asOf is not null && caller.Role != Roles.Auditor)
            return Problems.Forbidden("A person as known at an earlier moment is for auditors.");
        var person = asOf is { } at ? await LinkedPerson.AsOf(session, personId, at, ct) : await LinkedPerson.Resolve(session, personId, ct);
        var episodes = asOf is { } then ? await PersonEpisodes.AsOf(session, person.Records, then, ct) : await PersonEpisodes.Now(session, person.Records, ct);
        if (episodes.Count == 0) return Problems.NotFound("person", personId);
        AccessLogging.Read(http, person.Records, episodes.Select(e => e.Id));
        // Auditors and analysts see anyone; a force only people it holds an episode for (need to know, MoPI).
        if (caller.IsForce && !episodes.Any(e => EpisodeAccess.IsOwningForce(caller, e)))
            return Problems.Forbidden($"{caller.Agency} has no episode for person {personId}.");
        // In which order each episode's person details were last recorded: one indexed read of the events' metadata.
        Guid[] ids = [.. episodes.Select(e => e.Id)];
        var details = session.Events.QueryAllRawEvents()
            .Where(e => ids.Contains(e.StreamId) && e.EventTypesAre(typeof(MissingReported), typeof(PersonDetailsCorrected), typeof(EpisodeRelinked)));
        if (asOf is { } known) details = details.Where(e => e.Timestamp <= known);
        var recorded = await details.OrderBy(e => e.Sequence).Select(e => e.StreamId).ToListAsync(ct);
        return Results.Ok(PersonView.Of(person, episodes, recorded, PersonView.DetailsFor(caller), caller.Role == Roles.Analyst,
            asOf ?? clock.GetUtcNow()));
    }
}
