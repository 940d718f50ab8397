using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NationalRegister.Infrastructure.Auth;
using NationalRegister.Infrastructure.Commands;
using NationalRegister.Infrastructure.Http;
using Wolverine.Http;

namespace NationalRegister.Episodes.GradingRisk;

/// <summary>Risk is re-assessed continually: each assessment is its own event (College of Policing APP).</summary>
public sealed record AssessRisk(
    Guid MessageId, long? ExpectedVersion, string? Level, string? Rationale, string? AssessedBy, DateTimeOffset? AssessedAt)
    : IAppendCommand;

public static class AssessRiskEndpoint
{
    public static ProblemDetails Validate(AssessRisk? command)
    {
        if (command is null) return FieldErrors.MissingBody();
        var errors = new FieldErrors()
            .Required(nameof(command.MessageId), command.MessageId)
            .NonNegative(nameof(command.ExpectedVersion), command.ExpectedVersion)
            .Required(nameof(command.Rationale), command.Rationale, 4000)
            .Required(nameof(command.AssessedBy), command.AssessedBy, 200)
            .Required(nameof(command.AssessedAt), command.AssessedAt);
        if (RiskGrading.Parse(command.Level) is (null, { } refusal))
        {
            errors.Add(nameof(command.Level), refusal);
            if (refusal == RiskGrading.AbsentScrapped) errors.Headline(refusal);
        }
        return errors.ToProblem();
    }

    [WolverinePost("/api/episodes/{episodeId}/risk-assessments", OperationId = "AssessRisk")]
    [Authorize(Policy = Policies.ForceWriter)]
    [ProducesResponseType<EpisodeAppended>(StatusCodes.Status200OK)]
    public static Task<IResult> Post(Guid episodeId, AssessRisk command, HttpContext http, EpisodeWriter writer, CancellationToken ct) =>
        writer.Append(episodeId, command, Caller.From(http), (caller, e) => caller.IsOwningForce(e), Decide, ct);

    public static Decision Decide(Episode episode, AssessRisk command, DateTimeOffset now) =>
        EpisodeRules.FirstRefusalOr(
            [
                EpisodeRules.Open(episode),
                EpisodeRules.NotInFuture("assessedAt", command.AssessedAt!.Value, now),
            ],
            () => Decision.Accept(new RiskAssessed(
                RiskGrading.Parse(command.Level).Level!.Value, command.Level!.Trim(), command.Rationale!.Trim(),
                command.AssessedBy!.Trim(), command.AssessedAt!.Value)));
}
