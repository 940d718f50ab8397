using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NationalRegister.Infrastructure.Auth;
using NationalRegister.Infrastructure.Commands;
using NationalRegister.Infrastructure.Http;
using Wolverine.Http;
using Wolverine.Marten;

namespace NationalRegister.Episodes.Reviewing;

/// <summary>A supervisor reviews an open case: investigations have failed when nobody looked again (APP: supervisory review).</summary>
public sealed record ReviewEpisode(
    Guid MessageId, long? ExpectedVersion, string? ReviewedBy, DateTimeOffset? ReviewedAt, bool? RiskConfirmed, DateTimeOffset? NextReviewDue)
    : IAppendCommand;

public static class ReviewEpisodeEndpoint
{
    public static (EpisodeReviewed?, ProblemDetails) Validate(ReviewEpisode? command)
    {
        if (command is null) return (null, FieldErrors.MissingBody());
        var fields = new FieldErrors();
        fields.Id(nameof(command.MessageId), command.MessageId);
        fields.NonNegative(nameof(command.ExpectedVersion), command.ExpectedVersion);
        var reviewedBy = fields.Text(nameof(command.ReviewedBy), command.ReviewedBy, 200);
        var reviewedAt = fields.Instant(nameof(command.ReviewedAt), command.ReviewedAt);
        var riskConfirmed = fields.Required(nameof(command.RiskConfirmed), command.RiskConfirmed);
        var nextReviewDue = command.NextReviewDue is { } next ? fields.Instant(nameof(command.NextReviewDue), next) : (DateTimeOffset?)null;
        if (nextReviewDue <= reviewedAt) fields.Add(nameof(command.NextReviewDue), "must be after reviewedAt.");
        return fields.Then(() => new EpisodeReviewed(reviewedBy, reviewedAt, riskConfirmed, nextReviewDue));
    }

    public static Task<IResult> Before(ReviewEpisode command, Episode episode, Caller caller, IDocumentSession session, CancellationToken ct) =>
        Appending.Admit(command, episode, EpisodeAccess.IsOwningForce(caller, episode), caller, session, ct);

    [WolverinePost("/api/episodes/{episodeId}/reviews", OperationId = "ReviewEpisode")]
    [Authorize(Policy = Policies.ForceWriter)]
    [ProducesResponseType<EpisodeAppended>(StatusCodes.Status200OK)]
    public static Task<(IResult, Events)> Post(ReviewEpisode command, EpisodeReviewed review,
        [WriteAggregate(LoadStyle = ConcurrencyStyle.Exclusive)] Episode episode,
        Caller caller, CommandLedger ledger, IDocumentSession session, CancellationToken ct) =>
        Appending.Respond(Decide(episode, review, ledger.Now), command, episode, caller, ledger, session, ct);

    public static Decision Decide(Episode episode, EpisodeReviewed review, DateTimeOffset now) =>
        EpisodeRules.FirstRefusalOr(
            [
                EpisodeRules.Open(episode),
                EpisodeRules.NotInFuture("reviewedAt", review.ReviewedAt, now),
                EpisodeRules.NotBefore("reviewedAt", review.ReviewedAt, "reportedAt", episode.ReportedAt),
            ],
            () => Decision.Accept(review));
}
