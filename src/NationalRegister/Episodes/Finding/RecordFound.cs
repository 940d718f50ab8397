using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NationalRegister.Infrastructure.Auth;
using NationalRegister.Infrastructure.Commands;
using NationalRegister.Infrastructure.Http;
using Wolverine.Http;
using Wolverine.Marten;

namespace NationalRegister.Episodes.Finding;

public sealed record RecordFound(
    Guid MessageId, long? ExpectedVersion, DateTimeOffset? FoundAt, string? Location, string? FoundBy, string? Outcome)
    : IAppendCommand;

public static class RecordFoundEndpoint
{
    public static (PersonFound?, ProblemDetails) Validate(RecordFound? command)
    {
        if (command is null) return (null, FieldErrors.MissingBody());
        var fields = new FieldErrors();
        fields.Id(nameof(command.MessageId), command.MessageId);
        fields.NonNegative(nameof(command.ExpectedVersion), command.ExpectedVersion);
        var foundAt = fields.Instant(nameof(command.FoundAt), command.FoundAt);
        var location = fields.Text(nameof(command.Location), command.Location);
        var foundBy = fields.Text(nameof(command.FoundBy), command.FoundBy, 200);
        var outcome = fields.OneOf<FoundOutcome>(nameof(command.Outcome), command.Outcome);
        return fields.Then(() => new PersonFound(foundAt, location, foundBy, outcome));
    }

    public static Task<IResult> Before(RecordFound command, Episode episode, Caller caller, IDocumentSession session, CancellationToken ct) =>
        Appending.Admit(command, episode, EpisodeAccess.IsOwningForce(caller, episode), caller, session, ct);

    [WolverinePost("/api/episodes/{episodeId}/found", OperationId = "RecordFound")]
    [Authorize(Policy = Policies.ForceWriter)]
    [ProducesResponseType<EpisodeAppended>(StatusCodes.Status200OK)]
    public static Task<(IResult, Events)> Post(RecordFound command, PersonFound found,
        [WriteAggregate(LoadStyle = ConcurrencyStyle.Exclusive)] Episode episode,
        Caller caller, CommandLedger ledger, IDocumentSession session, CancellationToken ct) =>
        Appending.Respond(Decide(episode, found, ledger.Now), command, episode, caller, ledger, session, ct);

    public static Decision Decide(Episode episode, PersonFound found, DateTimeOffset now) =>
        EpisodeRules.FirstRefusalOr(
            [
                EpisodeRules.Open(episode),
                episode.Status == EpisodeStatus.Found
                    ? new Refusal(RefusalKind.Conflict, "Already found", $"Episode {episode.Id} was found at {episode.FoundAt:O}.")
                    : null,
                EpisodeRules.NotInFuture("foundAt", found.FoundAt, now),
                EpisodeRules.NotBefore("foundAt", found.FoundAt, "lastSeenAt", episode.LastSeenAt),
            ],
            () => Decision.Accept(found));
}
