using Marten;
using NationalRegister.Infrastructure.Auth;
using NationalRegister.Infrastructure.Commands;
using NationalRegister.Infrastructure.Http;
using Wolverine.Http;
using Wolverine.Marten;

namespace NationalRegister.Episodes;

public sealed record EpisodeAppended(Guid EpisodeId, long Version);

/// <summary>Middleware on every append: writers on one episode take turns in memory before they take a connection.</summary>
public static class WaitForEpisodeTurn
{
    public static Task<StreamQueues.Turn> Before(Guid episodeId, StreamQueues queues, CancellationToken ct) => queues.WaitTurn(episodeId, ct);

    public static void Finally(StreamQueues.Turn turn) => turn.End();
}

/// <summary>
/// What every append to an episode shares, around its own pure decider. The episode arrives loaded by
/// <c>[WriteAggregate(LoadStyle = Exclusive)]</c>: its stream row is locked for the transaction, so writers on one
/// episode queue behind each other instead of racing, and the version checked here cannot move before the commit.
/// </summary>
public static class Appending
{
    /// <summary>Before deciding: may this caller append, and is the episode still at the version the caller saw?</summary>
    public static async Task<IResult> Admit(IAppendCommand command, Episode episode, bool permitted, Caller caller,
        IQuerySession session, CancellationToken ct)
    {
        if (!permitted)
            return Problems.Forbidden($"{caller.Agency} may not change episode {episode.Id}.");
        if (command.ExpectedVersion is { } expected && expected != episode.Version)
            return await CommandLedger.Replay(session, caller, command, episode.Id, ct) ?? VersionConflict(episode, expected);
        return WolverineContinue.Result();
    }

    /// <summary>
    /// The decider's answer as the endpoint's: accepted, its events and the answer recorded under the messageId;
    /// refused, the original answer if this very command was accepted before, otherwise the refusal.
    /// </summary>
    public static async Task<(IResult, Events)> Respond(Decision decision, IAppendCommand command, Episode episode, Caller caller,
        CommandLedger ledger, IDocumentSession session, CancellationToken ct)
    {
        if (decision.Refusal is { } refusal)
            return (await CommandLedger.Replay(session, caller, command, episode.Id, ct) ?? refusal.ToProblem(), []);
        var appended = new EpisodeAppended(episode.Id, episode.Version + decision.Events.Count);
        return (ledger.Accept(session, caller, command, episode.Id, appended), new Events(decision.Events));
    }

    private static IResult VersionConflict(Episode episode, long expected) => Problems.Problem(StatusCodes.Status409Conflict,
        "Version conflict",
        $"Episode {episode.Id} is at version {episode.Version}, not the expected version {expected}. " +
        "Read the episode again, then retry with its current version.",
        new Dictionary<string, object?> { ["currentVersion"] = episode.Version, ["expectedVersion"] = expected });
}
