using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NationalRegister.Infrastructure.Auth;
using NationalRegister.Infrastructure.Http;
using Wolverine.Http;

namespace NationalRegister.Episodes.Viewing;

public sealed record ReturnInterviewView(DateTimeOffset? DueBy, ReturnInterviewOutcome? Outcome, DateTimeOffset? ConductedAt);

public sealed record EpisodeView(
    Guid EpisodeId, EpisodeStatus Status, string Force, string ForceReference, Guid PersonId, bool IsChild, string? LocalAuthority,
    RiskLevel? RiskLevel, int RiskAssessments, DateTimeOffset ReportedAt, DateTimeOffset LastSeenAt, DateTimeOffset? FoundAt,
    FoundOutcome? Outcome, int Sightings, ReturnInterviewView? ReturnInterview, DateTimeOffset? ClosedAt, long Version)
{
    public static EpisodeView Of(Episode e) => new(
        e.Id, e.Status, e.Force, e.ForceReference, e.PersonId, e.IsChild, e.LocalAuthority, e.RiskLevel, e.RiskAssessments,
        e.ReportedAt, e.LastSeenAt, e.FoundAt, e.Outcome, e.Sightings,
        e.IsChild ? new ReturnInterviewView(EpisodeRules.ReturnInterviewDueBy(e), e.ReturnInterviewOutcome, e.ReturnInterviewConductedAt) : null,
        e.ClosedAt, e.Version);
}

public static class GetEpisodeEndpoint
{
    [WolverineGet("/api/episodes/{episodeId}", OperationId = "GetEpisode")]
    [Authorize(Policy = Policies.EpisodeReader)]
    [ProducesResponseType<EpisodeView>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    public static async Task<IResult> Get(Guid episodeId, Caller caller, IQuerySession session, CancellationToken ct)
    {
        // The inline snapshot is committed with the events, so this read is never stale.
        var episode = await session.LoadAsync<Episode>(episodeId, ct);
        if (episode is null) return Problems.NotFound("episode", episodeId);
        return EpisodeAccess.MayRead(caller, episode)
            ? Results.Ok(EpisodeView.Of(episode))
            : Problems.Forbidden($"{caller.Agency} may not see episode {episodeId}.");
    }
}
