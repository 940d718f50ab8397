using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NationalRegister.Episodes;
using NationalRegister.Infrastructure.Auth;
using NationalRegister.Infrastructure.Http;
using Wolverine.Http;

namespace NationalRegister.People.Viewing;

public sealed record PersonView(
    Guid PersonId, int Episodes, int Last90Days, int Last365Days, Guid? OpenEpisodeId, RiskLevel? HighestRiskEver,
    IReadOnlyList<string> Forces)
{
    /// <summary>Windows count episodes by when the person went missing (last seen), up to now.</summary>
    public static PersonView Of(Guid personId, IReadOnlyList<Episode> episodes, DateTimeOffset now) => new(
        personId,
        episodes.Count,
        episodes.Count(e => e.LastSeenAt > now.AddDays(-90) && e.LastSeenAt <= now),
        episodes.Count(e => e.LastSeenAt > now.AddDays(-365) && e.LastSeenAt <= now),
        episodes.Where(e => e.Status == EpisodeStatus.Missing).OrderByDescending(e => e.LastSeenAt).Select(e => (Guid?)e.Id).FirstOrDefault(),
        episodes.Max(e => e.HighestRisk),
        [.. episodes.Select(e => e.Force).Distinct().Order(StringComparer.Ordinal)]);
}

public static class GetPersonEndpoint
{
    [WolverineGet("/api/people/{personId}", OperationId = "GetPerson")]
    [Authorize(Policy = Policies.PersonReader)]
    [ProducesResponseType<PersonView>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    public static async Task<IResult> Get(Guid personId, Caller caller, IQuerySession session, TimeProvider clock, CancellationToken ct)
    {
        var episodes = await session.Query<Episode>().Where(e => e.PersonId == personId).ToListAsync(ct);
        if (episodes.Count == 0) return Problems.NotFound("person", personId);
        // Auditors see anyone; a force only people it has reported at least once (need to know, MoPI).
        if (caller.IsForce && !episodes.Any(e => EpisodeAccess.IsOwningForce(caller, e)))
            return Problems.Forbidden($"{caller.Agency} has no episode for person {personId}.");
        return Results.Ok(PersonView.Of(personId, episodes, clock.GetUtcNow()));
    }
}
