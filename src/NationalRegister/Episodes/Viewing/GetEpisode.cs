using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using NationalRegister.Infrastructure.Auth;
using NationalRegister.Infrastructure.Http;
using NationalRegister.Reference;
using NationalRegister.Infrastructure.AccessLogging;
using Wolverine.Http;

namespace NationalRegister.Episodes.Viewing;

public sealed record ReturnInterviewView(DateTimeOffset? DueBy, ReturnInterviewOutcome? Outcome, DateTimeOffset? ConductedAt);

public sealed record ReviewView(DateTimeOffset? LastReviewedAt, DateTimeOffset? NextReviewDue);

/// <param name="ForceReference">The force's own reference: for forces, local authorities and auditors, never analysts.</param>
public sealed record EpisodeView(
    Guid EpisodeId, EpisodeStatus Status, string Force, string? ForceReference, Guid PersonId, bool IsChild, string? LocalAuthority,
    string? LocalAuthorityName, RiskLevel? RiskLevel, int RiskAssessments, DateTimeOffset ReportedAt, DateTimeOffset LastSeenAt, DateTimeOffset? FoundAt,
    FoundOutcome? Outcome, int Sightings, ReturnInterviewView? ReturnInterview, ReviewView Review, IReadOnlyList<string> PreviousForces,
    DateTimeOffset? ClosedAt, long Version)
{
    public static EpisodeView Of(Episode e, Caller caller, ReviewIntervals reviews, ReferenceData reference) => new(
        e.Id, e.Status, e.Force, caller.Role == Roles.Analyst ? null : e.ForceReference, e.PersonId, e.IsChild, e.LocalAuthority,
        reference.NameOf(e.LocalAuthority), e.RiskLevel,
        e.RiskAssessments, e.ReportedAt, e.LastSeenAt, e.FoundAt, e.Outcome, e.Sightings,
        e.IsChild ? new ReturnInterviewView(EpisodeRules.ReturnInterviewDueBy(e), e.ReturnInterviewOutcome, e.ReturnInterviewConductedAt) : null,
        new ReviewView(e.LastReviewedAt, e.Status == EpisodeStatus.Closed ? null : reviews.NextReviewDue(e)), e.PreviousForces,
        e.ClosedAt, e.Version);
}

public static class GetEpisodeEndpoint
{
    public static ProblemDetails Validate(DateTimeOffset? asOf, long? version) =>
        version is < 1
            ? new ProblemDetails { Status = StatusCodes.Status400BadRequest, Title = "Invalid version", Detail = "version starts at 1." }
            : WolverineContinue.NoProblems;

    /// <summary>
    /// The episode now, or as the register knew it: <c>asOf</c> (an instant: the events recorded by then) or <c>version</c>
    /// (the stream as it stood after that event), replayed from the events with Marten's AggregateStreamAsync. Auditors read
    /// any episode as known; a force its own.
    /// </summary>
    [WolverineGet("/api/episodes/{episodeId}", OperationId = "GetEpisode")]
    [AccessLogged]
    [Authorize(Policy = Policies.EpisodeReader)]
    [ProducesResponseType<EpisodeView>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    public static async Task<IResult> Get(Guid episodeId, DateTimeOffset? asOf, long? version, Caller caller, HttpContext http,
        IQuerySession session, IOptions<ReviewIntervals> reviews, ReferenceData reference, CancellationToken ct)
    {
        // The inline snapshot is committed with the events, so this read is never stale.
        var episode = await session.LoadAsync<Episode>(episodeId, ct);
        if (episode is null) return Problems.NotFound("episode", episodeId);
        AccessLogging.Read(http, [episode.PersonId], [episode.Id]);
        if (!EpisodeAccess.MayRead(caller, episode)) return Problems.Forbidden($"{caller.Agency} may not see episode {episodeId}.");
        if (asOf is null && version is null) return Results.Ok(EpisodeView.Of(episode, caller, reviews.Value, reference));

        if (caller.Role != Roles.Auditor && !EpisodeAccess.IsOwningForce(caller, episode))
            return Problems.Forbidden("An episode as known at an earlier moment is for auditors and the force that owns it.");
        var known = await session.Events.AggregateStreamAsync<Episode>(episodeId, version ?? 0, asOf, token: ct);
        return known is null
            ? Problems.Problem(StatusCodes.Status404NotFound, "Not known then",
                $"Episode {episodeId} had no events {(version is { } v ? $"up to version {v}" : "")}{(asOf is { } at ? $" recorded by {at:O}" : "")}.")
            : Results.Ok(EpisodeView.Of(known, caller, reviews.Value, reference));
    }
}
