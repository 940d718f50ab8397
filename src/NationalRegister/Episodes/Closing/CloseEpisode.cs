using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NationalRegister.Infrastructure.Auth;
using NationalRegister.Infrastructure.Commands;
using NationalRegister.Infrastructure.Http;
using Wolverine.Http;

namespace NationalRegister.Episodes.Closing;

/// <summary>The owning force closes an episode, with a summary, once the person is found.</summary>
public sealed record CloseEpisode(Guid MessageId, long? ExpectedVersion, DateTimeOffset? ClosedAt, string? ClosedBy, string? Summary)
    : IAppendCommand;

public static class CloseEpisodeEndpoint
{
    public static ProblemDetails Validate(CloseEpisode? command) => command is null
        ? FieldErrors.MissingBody()
        : new FieldErrors()
            .Required(nameof(command.MessageId), command.MessageId)
            .NonNegative(nameof(command.ExpectedVersion), command.ExpectedVersion)
            .Required(nameof(command.ClosedAt), command.ClosedAt)
            .Required(nameof(command.ClosedBy), command.ClosedBy, 200)
            .Required(nameof(command.Summary), command.Summary, 4000)
            .ToProblem();

    [WolverinePost("/api/episodes/{episodeId}/closure", OperationId = "CloseEpisode")]
    [Authorize(Policy = Policies.ForceWriter)]
    [ProducesResponseType<EpisodeAppended>(StatusCodes.Status200OK)]
    public static Task<IResult> Post(Guid episodeId, CloseEpisode command, HttpContext http, EpisodeWriter writer, CancellationToken ct) =>
        writer.Append(episodeId, command, Caller.From(http), (caller, e) => caller.IsOwningForce(e), Decide, ct);

    public static Decision Decide(Episode episode, CloseEpisode command, DateTimeOffset now) =>
        EpisodeRules.FirstRefusalOr(
            [
                EpisodeRules.Open(episode),
                EpisodeRules.Found(episode, "An episode can be closed"),
                EpisodeRules.NotInFuture("closedAt", command.ClosedAt!.Value, now),
                episode.FoundAt is { } found ? EpisodeRules.NotBefore("closedAt", command.ClosedAt!.Value, "foundAt", found) : null,
            ],
            () => Decision.Accept(new EpisodeClosed(command.ClosedAt!.Value, command.ClosedBy!.Trim(), command.Summary!.Trim())));
}
