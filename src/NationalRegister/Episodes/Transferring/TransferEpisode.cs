using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NationalRegister.Infrastructure.Auth;
using NationalRegister.Infrastructure.Commands;
using NationalRegister.Infrastructure.Http;
using NationalRegister.Reference;
using Wolverine.Http;
using Wolverine.Marten;

namespace NationalRegister.Episodes.Transferring;

/// <summary>The owning force hands the case to another force; from then on the receiver owns it (APP: transfer of investigation).</summary>
public sealed record TransferEpisode(Guid MessageId, long? ExpectedVersion, string? ToForce, string? Reason) : IAppendCommand;

public sealed record Transfer(string ToForce, string Reason);

public static class TransferEpisodeEndpoint
{
    public static (Transfer?, ProblemDetails) Validate(TransferEpisode? command, ReferenceData reference)
    {
        if (command is null) return (null, FieldErrors.MissingBody());
        var fields = new FieldErrors();
        fields.Id(nameof(command.MessageId), command.MessageId);
        fields.NonNegative(nameof(command.ExpectedVersion), command.ExpectedVersion);
        // Only to a force the register knows: an episode given to "ZZZ" could never be written to again.
        var toForce = reference.ForceField(fields, nameof(command.ToForce), fields.Text(nameof(command.ToForce), command.ToForce, 20));
        var reason = fields.Text(nameof(command.Reason), command.Reason, 2000, freeText: true);
        return fields.Then(() => new Transfer(toForce, reason));
    }

    public static Task<IResult> Before(TransferEpisode command, Episode episode, Caller caller, IDocumentSession session, CancellationToken ct) =>
        Appending.Admit(command, episode, EpisodeAccess.IsOwningForce(caller, episode), caller, session, ct);

    [WolverinePost("/api/episodes/{episodeId}/transfer", OperationId = "TransferEpisode")]
    [Authorize(Policy = Policies.ForceWriter)]
    [ProducesResponseType<EpisodeAppended>(StatusCodes.Status200OK)]
    public static Task<(IResult, Events)> Post(TransferEpisode command, Transfer transfer,
        [WriteAggregate(LoadStyle = ConcurrencyStyle.Exclusive)] Episode episode,
        Caller caller, CommandLedger ledger, IDocumentSession session, CancellationToken ct) =>
        Appending.Respond(Decide(episode, transfer, ledger.Now), command, episode, caller, ledger, session, ct);

    public static Decision Decide(Episode episode, Transfer transfer, DateTimeOffset now) =>
        EpisodeRules.FirstRefusalOr(
            [
                EpisodeRules.Open(episode),
                transfer.ToForce == episode.Force
                    ? new Refusal(RefusalKind.Conflict, "Already that force's", $"Episode {episode.Id} is already owned by {transfer.ToForce}.")
                    : null,
            ],
            () => Decision.Accept(new EpisodeTransferred(episode.Force, transfer.ToForce, transfer.Reason, now)));
}
