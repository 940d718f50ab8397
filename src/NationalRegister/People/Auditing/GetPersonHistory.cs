using System.Text.Json;
using JasperFx.Events;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NationalRegister.Episodes;
using NationalRegister.Infrastructure.AccessLogging;
using NationalRegister.Infrastructure.Auth;
using NationalRegister.Infrastructure.Commands;
using NationalRegister.Infrastructure.Http;
using Wolverine.Http;

namespace NationalRegister.People.Auditing;

/// <summary>One event of a person's history as an auditor reads it: what happened, when, and who recorded it, for whom.</summary>
/// <param name="Stream">"episode", or "person link" for a merge or unmerge (an analyst's decision on a record).</param>
/// <param name="Record">The person record the episode belonged to when this was recorded (or the record merged or unmerged).</param>
/// <param name="Force">The force that held the episode at this event.</param>
/// <param name="RecordedAt">The database's clock in the appending transaction: no application can set or backdate it.</param>
/// <param name="DelaySeconds">How long after it happened it was recorded, when that was more than an hour (a late arrival).</param>
/// <param name="Retracted">Taken back later as recorded in error (an <c>EventRetracted</c> naming its version).</param>
public sealed record HistoryEntry(
    string Stream, Guid StreamId, Guid? EpisodeId, Guid Record, string? Force, long Version, long Sequence, string Type,
    DateTimeOffset? OccurredAt, DateTimeOffset RecordedAt, long? DelaySeconds, string? RecordedBy, string? Agency, string? Role,
    string? CorrelationId, string? MessageId, bool Retracted, object Data)
{
    public static readonly TimeSpan Late = TimeSpan.FromHours(1);

    public static string? Header(IEvent e, string key) => e.Headers?.TryGetValue(key, out var value) == true
        ? value switch { JsonElement j => j.ToString(), null => null, _ => value.ToString() }
        : null;
}

/// <summary>Everything the register knew of a person at a moment: every record linked to them then, and every event, in order.</summary>
public sealed record PersonHistory(Guid PersonId, IReadOnlyList<Guid> Records, DateTimeOffset AsOf, IReadOnlyList<HistoryEntry> Entries);

public static class GetPersonHistoryEndpoint
{
    /// <summary>
    /// The auditor's view of everything: every episode of the person across every force and merged record, merges and
    /// unmerges, corrections and transfers, in the order recorded (global sequence). With <c>asOf</c>, as known at that
    /// moment: the events recorded by then (the database's clock), so a grade revised later shows as it was, and a merge or
    /// correction done later is absent. DPA 2018 s62: every consultation states its justification and is in the access log.
    /// </summary>
    [WolverineGet("/api/people/{personId}/history", OperationId = "GetPersonHistory")]
    [AccessLogged(justified: true)]
    [Authorize(Policy = Policies.Auditor)]
    [ProducesResponseType<PersonHistory>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    public static async Task<IResult> Get(Guid personId, DateTimeOffset? asOf, HttpContext http, IQuerySession session, CancellationToken ct)
    {
        var history = await Read(session, personId, asOf, ct);
        if (history is null) return Problems.NotFound("person", personId);
        AccessLogging.Read(http, history.Records, history.Entries.Select(e => e.EpisodeId).OfType<Guid>().Distinct());
        return Results.Ok(history);
    }

    /// <summary>The person's history as known at a moment (now when none is given), or null when the register knew no such person then.</summary>
    public static async Task<PersonHistory?> Read(IQuerySession session, Guid personId, DateTimeOffset? asOf, CancellationToken ct)
    {
        var person = asOf is { } then ? await LinkedPerson.AsOf(session, personId, then, ct) : await LinkedPerson.Resolve(session, personId, ct);
        var episodes = await PersonEpisodes.Ever(session, person.Records, ct);
        Guid[] streams = [.. episodes, .. person.Records];
        // Recorded times are the database's; "now" is when the newest of them was recorded.
        var query = session.Events.QueryAllRawEvents().Where(e => streams.Contains(e.StreamId));
        if (asOf is { } known) query = query.Where(e => e.Timestamp <= known);
        var events = await query.OrderBy(e => e.Sequence).ToListAsync(ct);
        var entries = Entries(events, episodes.ToHashSet());
        return entries.Any(e => e.Stream == "episode")
            ? new PersonHistory(person.SurvivorId, person.Records, asOf ?? events.Max(e => e.Timestamp), entries)
            : null;
    }

    /// <summary>Each event with what the auditor needs beside it: the record and force it came from, worked out by folding.</summary>
    private static List<HistoryEntry> Entries(IReadOnlyList<IEvent> events, HashSet<Guid> episodes)
    {
        var retracted = events.Where(e => e.Data is EventRetracted).Select(e => (e.StreamId, ((EventRetracted)e.Data).Version)).ToHashSet();
        var state = new Dictionary<Guid, (Guid Record, string Force)>();
        var entries = new List<HistoryEntry>();
        foreach (var e in events)
        {
            var isEpisode = episodes.Contains(e.StreamId);
            if (isEpisode)
            {
                var (record, force) = state.GetValueOrDefault(e.StreamId);
                state[e.StreamId] = e.Data switch
                {
                    MissingReported r => (r.PersonId, r.Force),
                    EpisodeTransferred t => (record, t.ToForce),
                    EpisodeRelinked l => (l.ToPersonId, force),
                    _ => (record, force),
                };
            }

            // Every event of an episode ever attributed to the person, each saying which record it belonged to at the time.
            var (owner, holder) = isEpisode ? state[e.StreamId] : (e.StreamId, (string?)null);
            var occurred = (e.Data as IEpisodeEvent)?.OccurredAt;
            var delay = occurred is { } o && e.Timestamp - o > HistoryEntry.Late ? (long)(e.Timestamp - o).TotalSeconds : (long?)null;
            entries.Add(new HistoryEntry(isEpisode ? "episode" : "person link", e.StreamId, isEpisode ? e.StreamId : null, owner, holder, e.Version,
                e.Sequence, e.EventType.Name, occurred, e.Timestamp, delay, e.UserName, HistoryEntry.Header(e, EventHeaders.Agency),
                HistoryEntry.Header(e, EventHeaders.Role), e.CorrelationId, e.CausationId,
                retracted.Contains((e.StreamId, e.Version)), e.Data));
        }

        return entries;
    }
}
