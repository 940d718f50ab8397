using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NationalRegister.Infrastructure.Auth;
using NationalRegister.Infrastructure.Commands;
using NationalRegister.Infrastructure.Http;
using NationalRegister.Reference;
using Wolverine.Http;
using Wolverine.Marten;

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

/// <summary>The report once every field is read: what the force says happened, before the register assigns ids.</summary>
public sealed record MissingReport(
    Guid? EpisodeId, string ForceReference, PersonDetails Person, DateTimeOffset LastSeenAt, string LastSeenLocation,
    string Circumstances, DateTimeOffset ReportedAt, string ReportedBy, string? LocalAuthority);

public sealed record EpisodeReported(Guid EpisodeId, Guid PersonId, long Version);

public static class ReportMissingEndpoint
{
    public static (MissingReport?, ProblemDetails) Validate(ReportMissing? command, ReferenceData reference)
    {
        if (command is null) return (null, FieldErrors.MissingBody());
        var fields = new FieldErrors();
        fields.Id(nameof(command.MessageId), command.MessageId);
        if (command.EpisodeId == Guid.Empty) fields.Add(nameof(command.EpisodeId), "must not be the empty uuid; leave it out to have one assigned.");
        var forceReference = fields.Text(nameof(command.ForceReference), command.ForceReference, 100);
        var lastSeenAt = fields.Instant(nameof(command.LastSeenAt), command.LastSeenAt);
        var lastSeenLocation = fields.Text(nameof(command.LastSeenLocation), command.LastSeenLocation);
        var circumstances = fields.Text(nameof(command.Circumstances), command.Circumstances, 4000, freeText: true);
        var reportedAt = fields.Instant(nameof(command.ReportedAt), command.ReportedAt);
        var reportedBy = fields.Text(nameof(command.ReportedBy), command.ReportedBy, 200);
        // Recorded as its ONS code: "Manchester" and "Manchester City Council" are one authority, E08000003.
        var localAuthority = reference.LocalAuthorityField(fields, nameof(command.LocalAuthority),
            fields.OptionalText(nameof(command.LocalAuthority), command.LocalAuthority, 200));
        var person = command.Person is { } p
            ? new PersonDetails(
                fields.Text("person.forceSubjectId", p.ForceSubjectId, 100), fields.Text("person.givenName", p.GivenName, 200),
                fields.Text("person.familyName", p.FamilyName, 200), fields.Date("person.dateOfBirth", p.DateOfBirth),
                fields.Text("person.sex", p.Sex, 50))
            : fields.Missing(nameof(command.Person), new PersonDetails("", "", "", default, ""));
        return fields.Then(() => new MissingReport(command.EpisodeId, forceReference, person, lastSeenAt, lastSeenLocation, circumstances, reportedAt, reportedBy, localAuthority));
    }

    [WolverinePost("/api/episodes", OperationId = "ReportMissing")]
    [Authorize(Policy = Policies.ForceWriter)]
    [ProducesResponseType<EpisodeReported>(StatusCodes.Status201Created)]
    public static (IResult, IMartenOp) Post(ReportMissing command, MissingReport report, Caller caller, CommandLedger ledger,
        IDocumentSession session)
    {
        var force = caller.Agency;
        var episodeId = report.EpisodeId ?? PersonIdentity.EpisodeIdFor(force, command.MessageId);
        var personId = PersonIdentity.Of(force, report.Person.ForceSubjectId);
        var decision = Decide(episodeId, personId, force, report, ledger.Now);
        if (decision.Refusal is { } refusal) return (refusal.ToProblem(), MartenOps.Nothing());
        // A replay or a taken episodeId meets a unique key at commit; DuplicateCommandHandler answers it.
        var answer = ledger.Accept(session, caller, command, episodeId, new EpisodeReported(episodeId, personId, decision.Events.Count),
            StatusCodes.Status201Created, $"/api/episodes/{episodeId}");
        return (answer, MartenOps.StartStream<Episode>(episodeId, [.. decision.Events]));
    }

    public static Decision Decide(Guid episodeId, Guid personId, string force, MissingReport report, DateTimeOffset now) =>
        EpisodeRules.FirstRefusalOr(
            [
                EpisodeRules.NotInFuture("lastSeenAt", report.LastSeenAt, now),
                EpisodeRules.NotInFuture("reportedAt", report.ReportedAt, now),
                EpisodeRules.NotBefore("reportedAt", report.ReportedAt, "lastSeenAt", report.LastSeenAt),
                report.Person.DateOfBirth.ToDateTime(TimeOnly.MinValue) > report.LastSeenAt.UtcDateTime
                    ? new Refusal(RefusalKind.Unprocessable, "Born after last seen", "person.dateOfBirth is after lastSeenAt.")
                    : null,
            ],
            () => Decision.Accept(new MissingReported(
                episodeId, personId, force, report.ForceReference, report.Person,
                EpisodeRules.IsChild(report.Person.DateOfBirth, report.LastSeenAt),
                report.LastSeenAt, report.LastSeenLocation, report.Circumstances, report.ReportedAt, report.ReportedBy, report.LocalAuthority)));
}
