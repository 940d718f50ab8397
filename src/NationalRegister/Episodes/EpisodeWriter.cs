using Marten;
using NationalRegister.Episodes.Reporting;
using NationalRegister.Infrastructure.Commands;
using NationalRegister.Infrastructure.Http;

namespace NationalRegister.Episodes;

/// <summary>
/// Runs one command against one episode in one transaction: fetch the episode (the inline snapshot, one
/// round trip), check the caller may touch it, let the pure decider answer, then append its events together
/// with the messageId record (a second round trip that commits). Replays and races are told apart only on the
/// failure path, so the happy path pays nothing for idempotency or authorisation.
/// </summary>
public sealed class EpisodeWriter(IDocumentStore store, TimeProvider clock)
{
    /// <summary>Without an expectedVersion the caller asked for no concurrency check, so a lost race is retried.</summary>
    private const int Attempts = 10;

    public async Task<IResult> Start(Guid episodeId, Guid personId, ReportMissing command, Caller caller,
        Func<DateTimeOffset, Decision> decide, CancellationToken ct)
    {
        var fingerprint = ProcessedCommand.FingerprintOf(caller.Agency, episodeId, command);
        var decision = decide(clock.GetUtcNow());
        if (decision.Refusal is { } refusal) return Problems.From(refusal);

        await using var session = store.LightweightSession();
        caller.Stamp(session, command.MessageId);
        session.Events.StartStream<Episode>(episodeId, [.. decision.Events]);
        var processed = new ProcessedCommand(command.MessageId, fingerprint, StatusCodes.Status201Created, episodeId, personId,
            decision.Events.Count, caller.Agency, clock.GetUtcNow());
        session.Insert(processed);
        try
        {
            await session.SaveChangesAsync(ct);
            return Respond(processed);
        }
        catch (Exception e) when (IsDuplicate(e))
        {
            return await Replay(command.MessageId, fingerprint, ct) ?? Problems.Problem(StatusCodes.Status409Conflict,
                "Episode already exists", $"Episode {episodeId} already exists; choose another episodeId or leave it out.");
        }
    }

    public async Task<IResult> Append<TCommand>(Guid episodeId, TCommand command, Caller caller,
        Func<Caller, Episode, bool> mayWrite, Func<Episode, TCommand, DateTimeOffset, Decision> decide, CancellationToken ct)
        where TCommand : IAppendCommand
    {
        var fingerprint = ProcessedCommand.FingerprintOf(caller.Agency, episodeId, command);
        for (var attempt = 1; ; attempt++)
        {
            await using var session = store.LightweightSession();
            caller.Stamp(session, command.MessageId);
            var stream = await session.Events.FetchForWriting<Episode>(episodeId, ct);
            if (stream.Aggregate is not { } episode) return Problems.NotFound("episode", episodeId);
            if (!mayWrite(caller, episode))
                return Problems.Forbidden($"Episode {episodeId} belongs to {episode.Force}; {caller.Agency} may not change it.");

            var current = stream.CurrentVersion ?? 0;
            if (command.ExpectedVersion is { } expected && expected != current)
                return await Replay(command.MessageId, fingerprint, ct) ?? Problems.VersionConflict(episodeId, expected, current);

            var decision = decide(episode, command, clock.GetUtcNow());
            if (decision.Refusal is { } refusal)
                return await Replay(command.MessageId, fingerprint, ct) ?? Problems.From(refusal);

            stream.AppendMany([.. decision.Events]);
            var processed = new ProcessedCommand(command.MessageId, fingerprint, StatusCodes.Status200OK, episodeId, null,
                current + decision.Events.Count, caller.Agency, clock.GetUtcNow());
            session.Insert(processed);
            try
            {
                await session.SaveChangesAsync(ct);
                return Respond(processed);
            }
            catch (Exception e) when (IsDuplicate(e))
            {
                return await Replay(command.MessageId, fingerprint, ct) ?? Problems.MessageIdReused(command.MessageId);
            }
            catch (Exception e) when (IsConcurrency(e))
            {
                if (await Replay(command.MessageId, fingerprint, ct) is { } replayed) return replayed;
                if (command.ExpectedVersion is { } stale)
                    return Problems.VersionConflict(episodeId, stale, await CurrentVersion(episodeId, ct));
                if (attempt == Attempts)
                    return Problems.Problem(StatusCodes.Status409Conflict, "Episode too busy",
                        $"Episode {episodeId} kept changing while this command was applied; retry it unchanged.");
            }
        }
    }

    /// <summary>The original answer when this messageId was handled before with this very command; 409 when with another.</summary>
    private async Task<IResult?> Replay(Guid messageId, string fingerprint, CancellationToken ct)
    {
        await using var query = store.QuerySession();
        var earlier = await query.LoadAsync<ProcessedCommand>(messageId, ct);
        if (earlier is null) return null;
        return earlier.Fingerprint == fingerprint ? Respond(earlier) : Problems.MessageIdReused(messageId);
    }

    private async Task<long> CurrentVersion(Guid episodeId, CancellationToken ct)
    {
        await using var query = store.QuerySession();
        return (await query.Events.FetchStreamStateAsync(episodeId, ct))?.Version ?? 0;
    }

    private static IResult Respond(ProcessedCommand processed) => processed.Status == StatusCodes.Status201Created
        ? Results.Created($"/api/episodes/{processed.StreamId}",
            new EpisodeReported(processed.StreamId, processed.PersonId ?? Guid.Empty, processed.Version))
        : Results.Ok(new EpisodeAppended(processed.StreamId, processed.Version));

    private static bool IsDuplicate(Exception e) =>
        e is JasperFx.DocumentAlreadyExistsException
            or JasperFx.Events.ExistingStreamIdCollisionException or Marten.Exceptions.ExistingStreamIdCollisionException
        || e.InnerException is { } inner && IsDuplicate(inner);

    private static bool IsConcurrency(Exception e) =>
        e is JasperFx.ConcurrencyException
            or JasperFx.Events.EventStreamUnexpectedMaxEventIdException
        || e.InnerException is { } inner && IsConcurrency(inner);
}

public sealed record EpisodeReported(Guid EpisodeId, Guid PersonId, long Version);

public sealed record EpisodeAppended(Guid EpisodeId, long Version);
