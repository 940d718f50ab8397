using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NationalRegister.Infrastructure.Auth;
using NationalRegister.Infrastructure.Commands;
using NationalRegister.Infrastructure.Http;
using Wolverine.Http;
using Wolverine.Marten;

namespace NationalRegister.Episodes.InterviewingOnReturn;

/// <summary>
/// The independent return home interview a local authority must offer a child within 72 hours of return
/// (DfE statutory guidance, 2014). Recorded by children's services, or by the owning force on their behalf.
/// </summary>
public sealed record RecordReturnInterview(
    Guid MessageId, long? ExpectedVersion, string? Outcome, DateTimeOffset? ConductedAt, string? ConductedBy,
    IReadOnlyList<string?>? Disclosures) : IAppendCommand;

public static class RecordReturnInterviewEndpoint
{
    public static (ReturnInterviewRecorded?, ProblemDetails) Validate(RecordReturnInterview? command)
    {
        if (command is null) return (null, FieldErrors.MissingBody());
        var fields = new FieldErrors();
        fields.Id(nameof(command.MessageId), command.MessageId);
        fields.NonNegative(nameof(command.ExpectedVersion), command.ExpectedVersion);
        var outcome = fields.OneOf<ReturnInterviewOutcome>(nameof(command.Outcome), command.Outcome);
        var conductedAt = fields.Instant(nameof(command.ConductedAt), command.ConductedAt);
        var conductedBy = fields.Text(nameof(command.ConductedBy), command.ConductedBy, 200);
        // What the child disclosed, one entry each (e.g. "Child criminal exploitation"): a handful, never thousands.
        var disclosures = fields.Texts(nameof(command.Disclosures), command.Disclosures, maxItems: 50, maxLength: 2000);
        return fields.Then(() => new ReturnInterviewRecorded(outcome, conductedAt, conductedBy, disclosures));
    }

    public static Task<IResult> Before(RecordReturnInterview command, Episode episode, Caller caller, IDocumentSession session,
        CancellationToken ct) =>
        Appending.Admit(command, episode,
            EpisodeAccess.IsOwningForce(caller, episode) || EpisodeAccess.IsLocalAuthorityOf(caller, episode), caller, session, ct);

    [WolverinePost("/api/episodes/{episodeId}/return-interviews", OperationId = "RecordReturnInterview")]
    [Authorize(Policy = Policies.ReturnInterviewer)]
    [ProducesResponseType<EpisodeAppended>(StatusCodes.Status200OK)]
    public static Task<(IResult, Events)> Post(RecordReturnInterview command, ReturnInterviewRecorded interview,
        [WriteAggregate(LoadStyle = ConcurrencyStyle.Exclusive)] Episode episode,
        Caller caller, CommandLedger ledger, IDocumentSession session, CancellationToken ct) =>
        Appending.Respond(Decide(episode, interview, ledger.Now), command, episode, caller, ledger, session, ct);

    public static Decision Decide(Episode episode, ReturnInterviewRecorded interview, DateTimeOffset now) =>
        EpisodeRules.FirstRefusalOr(
            [
                EpisodeRules.Open(episode),
                EpisodeRules.Found(episode, "A return interview can be recorded"),
                episode.IsChild
                    ? null
                    : new Refusal(RefusalKind.Unprocessable, "Return interviews are for children",
                        $"Episode {episode.Id} is of an adult (18 or over when last seen); return home interviews are for children."),
                EpisodeRules.NotInFuture("conductedAt", interview.ConductedAt, now),
                episode.FoundAt is { } found ? EpisodeRules.NotBefore("conductedAt", interview.ConductedAt, "foundAt", found) : null,
            ],
            () => Decision.Accept(interview));
}
