using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NationalRegister.Infrastructure.Auth;
using NationalRegister.Infrastructure.Commands;
using NationalRegister.Infrastructure.Http;
using Wolverine.Http;

namespace NationalRegister.Episodes.ReturnInterviews;

/// <summary>
/// The independent return home interview a local authority must offer a child within 72 hours of return
/// (DfE statutory guidance, 2014). Recorded by children's services, or by the owning force on their behalf.
/// </summary>
public sealed record RecordReturnInterview(
    Guid MessageId, long? ExpectedVersion, string? Outcome, DateTimeOffset? ConductedAt, string? ConductedBy,
    IReadOnlyList<string>? Disclosures) : IAppendCommand;

public static class RecordReturnInterviewEndpoint
{
    public static ProblemDetails Validate(RecordReturnInterview? command)
    {
        if (command is null) return FieldErrors.MissingBody();
        var errors = new FieldErrors()
            .Required(nameof(command.MessageId), command.MessageId)
            .NonNegative(nameof(command.ExpectedVersion), command.ExpectedVersion)
            .OneOf<ReturnInterviewOutcome>(nameof(command.Outcome), command.Outcome)
            .Required(nameof(command.ConductedAt), command.ConductedAt)
            .Required(nameof(command.ConductedBy), command.ConductedBy, 200);
        if (command.Disclosures is { } disclosures && disclosures.Any(d => string.IsNullOrWhiteSpace(d) || d.Length > 2000))
            errors.Add(nameof(command.Disclosures), "each disclosure must be non-empty text of at most 2000 characters.");
        return errors.ToProblem();
    }

    [WolverinePost("/api/episodes/{episodeId}/return-interviews", OperationId = "RecordReturnInterview")]
    [Authorize(Policy = Policies.ReturnInterviewer)]
    [ProducesResponseType<EpisodeAppended>(StatusCodes.Status200OK)]
    public static Task<IResult> Post(Guid episodeId, RecordReturnInterview command, HttpContext http, EpisodeWriter writer, CancellationToken ct) =>
        writer.Append(episodeId, command, Caller.From(http),
            (caller, e) => caller.IsOwningForce(e) || caller.IsLocalAuthorityOf(e), Decide, ct);

    public static Decision Decide(Episode episode, RecordReturnInterview command, DateTimeOffset now) =>
        EpisodeRules.FirstRefusalOr(
            [
                EpisodeRules.Open(episode),
                EpisodeRules.Found(episode, "A return interview can be recorded"),
                episode.IsChild
                    ? null
                    : new Refusal(RefusalKind.Unprocessable, "Return interviews are for children",
                        $"Episode {episode.Id} is of an adult (18 or over when last seen); return home interviews are for children."),
                EpisodeRules.NotInFuture("conductedAt", command.ConductedAt!.Value, now),
                episode.FoundAt is { } found ? EpisodeRules.NotBefore("conductedAt", command.ConductedAt!.Value, "foundAt", found) : null,
            ],
            () => Decision.Accept(new ReturnInterviewRecorded(
                Enum.Parse<ReturnInterviewOutcome>(command.Outcome!, ignoreCase: true), command.ConductedAt!.Value,
                command.ConductedBy!.Trim(), [.. (command.Disclosures ?? []).Select(d => d.Trim())])));
}
