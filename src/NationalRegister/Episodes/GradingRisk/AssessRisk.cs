using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NationalRegister.Infrastructure.Auth;
using NationalRegister.Infrastructure.Commands;
using NationalRegister.Infrastructure.Http;
using Wolverine.Http;
using Wolverine.Marten;

namespace NationalRegister.Episodes.GradingRisk;

/// <summary>Risk is re-assessed continually: each assessment is its own event (College of Policing APP).</summary>
public sealed record AssessRisk(
    Guid MessageId, long? ExpectedVersion, string? Level, string? Rationale, string? AssessedBy, DateTimeOffset? AssessedAt)
    : IAppendCommand;

public static class AssessRiskEndpoint
{
    public static (RiskAssessed?, ProblemDetails) Validate(AssessRisk? command)
    {
        if (command is null) return (null, FieldErrors.MissingBody());
        var fields = new FieldErrors();
        fields.Id(nameof(command.MessageId), command.MessageId);
        fields.NonNegative(nameof(command.ExpectedVersion), command.ExpectedVersion);
        var grade = fields.OptionalText(nameof(command.Level), command.Level, 50) ?? "";
        if (!RiskGrading.TryParse(grade, out var level, out var refusal))
        {
            fields.Add(nameof(command.Level), refusal);
            if (refusal == RiskGrading.AbsentScrapped) fields.Headline(refusal);
        }
        var rationale = fields.Text(nameof(command.Rationale), command.Rationale, 4000, freeText: true);
        var assessedBy = fields.Text(nameof(command.AssessedBy), command.AssessedBy, 200);
        var assessedAt = fields.Instant(nameof(command.AssessedAt), command.AssessedAt);
        return fields.Then(() => new RiskAssessed(level, grade, rationale, assessedBy, assessedAt));
    }

    public static Task<IResult> Before(AssessRisk command, Episode episode, Caller caller, IDocumentSession session, CancellationToken ct) =>
        Appending.Admit(command, episode, EpisodeAccess.IsOwningForce(caller, episode), caller, session, ct);

    [WolverinePost("/api/episodes/{episodeId}/risk-assessments", OperationId = "AssessRisk")]
    [Authorize(Policy = Policies.ForceWriter)]
    [ProducesResponseType<EpisodeAppended>(StatusCodes.Status200OK)]
    public static Task<(IResult, Events)> Post(AssessRisk command, RiskAssessed assessment,
        [WriteAggregate(LoadStyle = ConcurrencyStyle.Exclusive)] Episode episode,
        Caller caller, CommandLedger ledger, IDocumentSession session, CancellationToken ct) =>
        Appending.Respond(Decide(episode, assessment, ledger.Now), command, episode, caller, ledger, session, ct);

    public static Decision Decide(Episode episode, RiskAssessed assessment, DateTimeOffset now) =>
        EpisodeRules.FirstRefusalOr(
            [
                EpisodeRules.Open(episode),
                EpisodeRules.NotInFuture("assessedAt", assessment.AssessedAt, now),
            ],
            () => Decision.Accept(assessment));
}
