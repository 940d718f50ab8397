using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NationalRegister.Infrastructure.Auth;
using NationalRegister.Infrastructure.Commands;
using NationalRegister.Infrastructure.Http;
using Wolverine.Http;

namespace NationalRegister.Episodes.Finding;

public sealed record RecordFound(
    Guid MessageId, long? ExpectedVersion, DateTimeOffset? FoundAt, string? Location, string? FoundBy, string? Outcome)
    : IAppendCommand;

public static class RecordFoundEndpoint
{
    public static ProblemDetails Validate(RecordFound? command) => command is null
        ? FieldErrors.MissingBody()
        : new FieldErrors()
            .Required(nameof(command.MessageId), command.MessageId)
            .NonNegative(nameof(command.ExpectedVersion), command.ExpectedVersion)
            .Required(nameof(command.FoundAt), command.FoundAt)
            .Required(nameof(command.Location), command.Location)
            .Required(nameof(command.FoundBy), command.FoundBy, 200)
            .OneOf<FoundOutcome>(nameof(command.Outcome), command.Outcome)
            .ToProblem();

    [WolverinePost("/api/episodes/{episodeId}/found", OperationId = "RecordFound")]
    [Authorize(Policy = Policies.ForceWriter)]
    [ProducesResponseType<EpisodeAppended>(StatusCodes.Status200OK)]
    public static Task<IResult> Post(Guid episodeId, RecordFound command, HttpContext http, EpisodeWriter writer, CancellationToken ct) =>
        writer.Append(episodeId, command, Caller.From(http), (caller, e) => caller.IsOwningForce(e), Decide, ct);

    public static Decision Decide(Episode episode, RecordFound command, DateTimeOffset now) =>
        EpisodeRules.FirstRefusalOr(
            [
                EpisodeRules.Open(episode),
                episode.Status == EpisodeStatus.Found
                    ? new Refusal(RefusalKind.Conflict, "Already found", $"Episode {episode.Id} was found at {episode.FoundAt:O}.")
                    : null,
                EpisodeRules.NotInFuture("foundAt", command.FoundAt!.Value, now),
                EpisodeRules.NotBefore("foundAt", command.FoundAt!.Value, "lastSeenAt", episode.LastSeenAt),
            ],
            () => Decision.Accept(new PersonFound(
                command.FoundAt!.Value, command.Location!.Trim(), command.FoundBy!.Trim(),
                Enum.Parse<FoundOutcome>(command.Outcome!, ignoreCase: true))));
}
