using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NationalRegister.Infrastructure.Auth;
using NationalRegister.Infrastructure.Commands;
using NationalRegister.Infrastructure.Http;
using Wolverine.Http;
using Wolverine.Marten;

namespace NationalRegister.Episodes.Closing;

/// <summary>The owning force closes an episode, with a summary, once the person is found.</summary>
public sealed record CloseEpisode(Guid MessageId, long? ExpectedVersion, DateTimeOffset? ClosedAt, string? ClosedBy, string? Summary)
    : IAppendCommand;

public static class CloseEpisodeEndpoint
{
    public static (EpisodeClosed?, ProblemDetails) Validate(CloseEpisode? command)
    {
        if (command is null) return (null, FieldErrors.MissingBody());
        var fields = new FieldErrors();
        fields.Id(nameof(command.MessageId), command.MessageId);
        fields.NonNegative(nameof(command.ExpectedVersion), command.ExpectedVersion);
        var closedAt = fields.Instant(nameof(command.ClosedAt), command.ClosedAt);
        var closedBy = fields.Text(nameof(command.ClosedBy), command.ClosedBy, 200);
        var summary = fields.Text(nameof(command.Summary), command.Summary, 4000, freeText: true);
        return fields.Then(() => new EpisodeClosed(closedAt, closedBy, summary));
    }

    public static Task<IResult> Before(CloseEpisode command, Episode episode, Caller caller, IDocumentSession session, CancellationToken ct) =>
        Appending.Admit(command, episode, EpisodeAccess.IsOwningForce(caller, episode), caller, session, ct);

    [WolverinePost("/api/episodes/{episodeId}/closure", OperationId = "CloseEpisode")]
    [Authorize(Policy = Policies.ForceWriter)]
    [ProducesResponseType<EpisodeAppended>(StatusCodes.Status200OK)]
    public static Task<(IResult, Events)> Post(CloseEpisode command, EpisodeClosed closure,
        [WriteAggregate(LoadStyle = ConcurrencyStyle.Exclusive)] Episode episode,
        Caller caller, CommandLedger ledger, IDocumentSession session, CancellationToken ct) =>
        Appending.Respond(Decide(episode, closure, ledger.Now), command, episode, caller, ledger, session, ct);

    public static Decision Decide(Episode episode, EpisodeClosed closure, DateTimeOffset now) =>
        EpisodeRules.FirstRefusalOr(
            [
                EpisodeRules.Open(episode),
                EpisodeRules.Found(episode, "An episode can be closed"),
                EpisodeRules.NotInFuture("closedAt", closure.ClosedAt, now),
                episode.FoundAt is { } found ? EpisodeRules.NotBefore("closedAt", closure.ClosedAt, "foundAt", found) : null,
            ],
            () => Decision.Accept(closure));
}
