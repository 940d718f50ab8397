using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NationalRegister.Infrastructure.Auth;
using NationalRegister.Infrastructure.Commands;
using NationalRegister.Infrastructure.Http;
using NationalRegister.People;
using Wolverine.Http;

namespace NationalRegister.Episodes.Reporting;

public sealed record PersonInput(string? ForceSubjectId, string? GivenName, string? FamilyName, DateOnly? DateOfBirth, string? Sex);

/// <summary>A force reports someone missing. The force is the caller's, from the token, never the body.</summary>
public sealed record ReportMissing(
    Guid MessageId,
    Guid? EpisodeId,
    string? ForceReference,
    PersonInput? Person,
    DateTimeOffset? LastSeenAt,
    string? LastSeenLocation,
    string? Circumstances,
    DateTimeOffset? ReportedAt,
    string? ReportedBy,
    string? LocalAuthority) : ICommand;

public static class ReportMissingEndpoint
{
    public static ProblemDetails Validate(ReportMissing? command)
    {
        if (command is null) return FieldErrors.MissingBody();
        var errors = new FieldErrors()
            .Required(nameof(command.MessageId), command.MessageId)
            .Required(nameof(command.ForceReference), command.ForceReference, 100)
            .Required(nameof(command.LastSeenAt), command.LastSeenAt)
            .Required(nameof(command.LastSeenLocation), command.LastSeenLocation)
            .Required(nameof(command.Circumstances), command.Circumstances, 4000)
            .Required(nameof(command.ReportedAt), command.ReportedAt)
            .Required(nameof(command.ReportedBy), command.ReportedBy, 200)
            .Optional(nameof(command.LocalAuthority), command.LocalAuthority, 200);
        if (command.EpisodeId == Guid.Empty) errors.Add(nameof(command.EpisodeId), "must not be the empty uuid; leave it out to have one assigned.");
        if (command.Person is not { } p) return errors.Add(nameof(command.Person), "is required.").ToProblem();
        return errors
            .Required("person.forceSubjectId", p.ForceSubjectId, 100)
            .Required("person.givenName", p.GivenName, 200)
            .Required("person.familyName", p.FamilyName, 200)
            .Required("person.dateOfBirth", p.DateOfBirth)
            .Required("person.sex", p.Sex, 50)
            .ToProblem();
    }

    [WolverinePost("/api/episodes", OperationId = "ReportMissing")]
    [Authorize(Policy = Policies.ForceWriter)]
    [ProducesResponseType<EpisodeReported>(StatusCodes.Status201Created)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status422UnprocessableEntity)]
    public static Task<IResult> Post(ReportMissing command, HttpContext http, EpisodeWriter writer, CancellationToken ct)
    {
        var caller = Caller.From(http);
        var personId = PersonIdentity.Of(caller.Force!, command.Person!.ForceSubjectId!);
        // Without a client-chosen id the episode id follows from the messageId, so a retried report can never open two episodes.
        var episodeId = command.EpisodeId ?? PersonIdentity.EpisodeIdFor(command.MessageId);
        return writer.Start(episodeId, personId, command, caller, now => Decide(episodeId, personId, caller.Force!, command, now), ct);
    }

    public static Decision Decide(Guid episodeId, Guid personId, string force, ReportMissing command, DateTimeOffset now)
    {
        var p = command.Person!;
        var lastSeen = command.LastSeenAt!.Value;
        var reported = command.ReportedAt!.Value;
        return EpisodeRules.FirstRefusalOr(
            [
                EpisodeRules.NotInFuture("lastSeenAt", lastSeen, now),
                EpisodeRules.NotInFuture("reportedAt", reported, now),
                EpisodeRules.NotBefore("reportedAt", reported, "lastSeenAt", lastSeen),
                p.DateOfBirth!.Value.ToDateTime(TimeOnly.MinValue) > lastSeen.UtcDateTime
                    ? new Refusal(RefusalKind.Unprocessable, "Born after last seen", "person.dateOfBirth is after lastSeenAt.")
                    : null,
            ],
            () => Decision.Accept(new MissingReported(
                episodeId, personId, force, command.ForceReference!.Trim(),
                new PersonDetails(p.ForceSubjectId!.Trim(), p.GivenName!.Trim(), p.FamilyName!.Trim(), p.DateOfBirth!.Value, p.Sex!.Trim()),
                EpisodeRules.IsChild(p.DateOfBirth!.Value, lastSeen),
                lastSeen, command.LastSeenLocation!.Trim(), command.Circumstances!.Trim(),
                reported, command.ReportedBy!.Trim(), string.IsNullOrWhiteSpace(command.LocalAuthority) ? null : command.LocalAuthority.Trim())));
    }
}
