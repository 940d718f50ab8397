using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NationalRegister.Infrastructure.Auth;
using NationalRegister.Infrastructure.Commands;
using NationalRegister.Infrastructure.Http;
using Wolverine.Http;
using Wolverine.Marten;

namespace NationalRegister.Episodes.Sighting;

public sealed record RecordSighting(Guid MessageId, long? ExpectedVersion, DateTimeOffset? SeenAt, string? Location, string? Source)
    : IAppendCommand;

public static class RecordSightingEndpoint
{
    public static (SightingRecorded?, ProblemDetails) Validate(RecordSighting? command)
    {
        if (command is null) return (null, FieldErrors.MissingBody());
        var fields = new FieldErrors();
        fields.Id(nameof(command.MessageId), command.MessageId);
        fields.NonNegative(nameof(command.ExpectedVersion), command.ExpectedVersion);
        var seenAt = fields.Instant(nameof(command.SeenAt), command.SeenAt);
        var location = fields.Text(nameof(command.Location), command.Location);
        var source = fields.Text(nameof(command.Source), command.Source, 200);
        return fields.Then(() => new SightingRecorded(seenAt, location, source));
    }

    public static Task<IResult> Before(RecordSighting command, Episode episode, Caller caller, IDocumentSession session, CancellationToken ct) =>
        Appending.Admit(command, episode, EpisodeAccess.IsOwningForce(caller, episode), caller, session, ct);

    [WolverinePost("/api/episodes/{episodeId}/sightings", OperationId = "RecordSighting")]
    [Authorize(Policy = Policies.ForceWriter)]
    [ProducesResponseType<EpisodeAppended>(StatusCodes.Status200OK)]
    public static Task<(IResult, Events)> Post(RecordSighting command, SightingRecorded sighting,
        [WriteAggregate(LoadStyle = ConcurrencyStyle.Exclusive)] Episode episode,
        Caller caller, CommandLedger ledger, IDocumentSession session, CancellationToken ct) =>
        Appending.Respond(Decide(episode, sighting, ledger.Now), command, episode, caller, ledger, session, ct);

    public static Decision Decide(Episode episode, SightingRecorded sighting, DateTimeOffset now) =>
        EpisodeRules.FirstRefusalOr(
            [
                EpisodeRules.Open(episode),
                EpisodeRules.NotInFuture("seenAt", sighting.SeenAt, now),
                EpisodeRules.NotBefore("seenAt", sighting.SeenAt, "lastSeenAt", episode.LastSeenAt),
            ],
            () => Decision.Accept(sighting));
}
