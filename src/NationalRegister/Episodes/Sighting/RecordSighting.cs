using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NationalRegister.Infrastructure.Auth;
using NationalRegister.Infrastructure.Commands;
using NationalRegister.Infrastructure.Http;
using Wolverine.Http;

namespace NationalRegister.Episodes.Sightings;

public sealed record RecordSighting(Guid MessageId, long? ExpectedVersion, DateTimeOffset? SeenAt, string? Location, string? Source)
    : IAppendCommand;

public static class RecordSightingEndpoint
{
    public static ProblemDetails Validate(RecordSighting? command) => command is null
        ? FieldErrors.MissingBody()
        : new FieldErrors()
            .Required(nameof(command.MessageId), command.MessageId)
            .NonNegative(nameof(command.ExpectedVersion), command.ExpectedVersion)
            .Required(nameof(command.SeenAt), command.SeenAt)
            .Required(nameof(command.Location), command.Location)
            .Required(nameof(command.Source), command.Source, 200)
            .ToProblem();

    [WolverinePost("/api/episodes/{episodeId}/sightings", OperationId = "RecordSighting")]
    [Authorize(Policy = Policies.ForceWriter)]
    [ProducesResponseType<EpisodeAppended>(StatusCodes.Status200OK)]
    public static Task<IResult> Post(Guid episodeId, RecordSighting command, HttpContext http, EpisodeWriter writer, CancellationToken ct) =>
        writer.Append(episodeId, command, Caller.From(http), (caller, e) => caller.IsOwningForce(e), Decide, ct);

    public static Decision Decide(Episode episode, RecordSighting command, DateTimeOffset now) =>
        EpisodeRules.FirstRefusalOr(
            [
                EpisodeRules.Open(episode),
                EpisodeRules.NotInFuture("seenAt", command.SeenAt!.Value, now),
                EpisodeRules.NotBefore("seenAt", command.SeenAt!.Value, "lastSeenAt", episode.LastSeenAt),
            ],
            () => Decision.Accept(new SightingRecorded(command.SeenAt!.Value, command.Location!.Trim(), command.Source!.Trim())));
}
