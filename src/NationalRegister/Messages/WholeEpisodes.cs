using System.Security.Claims;
using System.Text.Json;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using NationalRegister.Episodes;
using NationalRegister.Episodes.Closing;
using NationalRegister.Episodes.Finding;
using NationalRegister.Episodes.GradingRisk;
using NationalRegister.Episodes.InterviewingOnReturn;
using NationalRegister.Episodes.Reporting;
using NationalRegister.Episodes.Reviewing;
using NationalRegister.Episodes.Sighting;
using NationalRegister.Episodes.Transferring;
using NationalRegister.Infrastructure;
using NationalRegister.Infrastructure.Auth;
using NationalRegister.Infrastructure.Commands;
using NationalRegister.Infrastructure.Http;
using NationalRegister.Reference;
using Wolverine.Http;

namespace NationalRegister.Messages;

/// <summary>The lines of one episode, one after another in a batch: a backfill sends an episode's report and all that followed.</summary>
public sealed record EpisodeGroup(IReadOnlyList<BatchLine> Lines)
{
    public Guid? EpisodeId => Lines[0].Message!.StreamKey;
}

/// <summary>
/// The bulk path: an episode that is new to the register and whole in the batch (its report first) is decided in memory
/// by the endpoints' own Validate and Decide, with their ownership and version checks, and many such episodes commit in
/// one transaction, with the same events, metadata, chain links, snapshot and messageId records as the live path writes.
/// Only what this path is sure the live path would accept goes this way: an episode with anything it does not handle
/// (corrections, a refusal, a stream or messageId already recorded, a clash at commit) is left to the live path, whole,
/// which answers it exactly as the single endpoints do (and replays what was accepted before).
/// </summary>
public sealed class WholeEpisodes(
    IDocumentStore store, MessageDispatcher dispatcher, ReferenceData reference, TimeProvider clock, IHttpContextAccessor accessor,
    IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json)
{
    /// <summary>Episodes per transaction: about 600 events, a commit every few tens of milliseconds.</summary>
    public const int MostPerTransaction = 100;

    private readonly JsonSerializerOptions _json = json.Value.SerializerOptions;
    private readonly CommandLedger _ledger = new(accessor, clock, json);

    private sealed record Step(ICommand Command, Caller Caller, IReadOnlyList<object> Events, object Answer, int Status, string? Location);

    private sealed record Decided(EpisodeGroup Group, Guid EpisodeId, IReadOnlyList<Step> Steps);

    /// <summary>The results of the groups committed here, by group; the others are the live path's.</summary>
    public async Task<Dictionary<EpisodeGroup, MessageResult[]>> Commit(IReadOnlyList<EpisodeGroup> groups,
        Func<BatchMessage, ClaimsPrincipal> sender, string correlationId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        List<Decided> decided = [];
        foreach (var group in groups.Where(g => g.Lines[0].Message!.Type == nameof(ReportMissing)))
            if (await Decide(group, sender, correlationId, now) is { } whole) decided.Add(whole);
        if (decided.Count == 0) return [];

        await using var session = store.LightweightSession();
        decided = await New(session, decided, ct);
        foreach (var (_, episodeId, steps) in decided)
        {
            var action = session.Events.StartStream<Episode>(episodeId, [.. steps.SelectMany(s => s.Events)]);
            var e = 0;
            foreach (var step in steps)
            {
                // Per event, as the live path stamps each command's session (CommandLedger.Accept).
                foreach (var _ in step.Events)
                {
                    var appended = action.Events[e++];
                    appended.CorrelationId = step.Caller.CorrelationId;
                    appended.CausationId = step.Command.MessageId.ToString();
                    appended.UserName = step.Caller.User;
                    appended.SetHeader(EventHeaders.Agency, step.Caller.Agency);
                    appended.SetHeader(EventHeaders.Role, step.Caller.Role);
                }

                session.Insert(_ledger.Record(step.Caller, step.Command, episodeId, step.Answer, step.Status, step.Location));
            }
        }

        try
        {
            await session.SaveChangesAsync(ct);
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            return []; // another writer got there first (or the database failed): the live path answers each message
        }

        return decided.ToDictionary(d => d.Group, d => d.Group.Lines.Zip(d.Steps, (line, step) => new MessageResult(line.Index, line.Message!.Type,
            step.Command.MessageId, step.Status, step.Location, JsonSerializer.SerializeToElement(step.Answer, step.Answer.GetType(), _json)) { Bulk = true }).ToArray());
    }

    /// <summary>Only episodes the register has never seen, none of whose messageIds it has recorded, each once.</summary>
    private static async Task<List<Decided>> New(IDocumentSession session, List<Decided> decided, CancellationToken ct)
    {
        var keys = decided.SelectMany(d => d.Steps.Select(s => ProcessedCommand.KeyOf(s.Caller.Agency, s.Command.MessageId))).ToArray();
        var known = (await session.AdvancedSql.QueryAsync<Guid>($"select id from {EventStore.Schema}.mt_streams where id = any(:ids)", ct,
            new { ids = decided.Select(d => d.EpisodeId).ToArray() })).ToHashSet();
        var recorded = (await session.Query<ProcessedCommand>().Where(p => keys.Contains(p.Id)).Select(p => p.StreamId).ToListAsync(ct)).ToHashSet();
        var seen = new HashSet<Guid>();
        return [.. decided.Where(d => !known.Contains(d.EpisodeId) && !recorded.Contains(d.EpisodeId) && seen.Add(d.EpisodeId))];
    }

    private async Task<Decided?> Decide(EpisodeGroup group, Func<BatchMessage, ClaimsPrincipal> sender, string correlationId, DateTimeOffset now)
    {
        Episode? episode = null;
        List<Step> steps = [];
        var messageIds = new HashSet<Guid>();
        foreach (var line in group.Lines)
        {
            var message = line.Message!;
            var user = sender(message);
            if (dispatcher.Refusal(message, user, out _) is not null || !await dispatcher.MaySend(message.Type!, user)) return null;
            var caller = Caller.Of(user, correlationId);
            var body = JsonSerializer.SerializeToUtf8Bytes(message.Message!.Value);
            var step = message.Type switch
            {
                nameof(ReportMissing) when episode is null => Report(Read<ReportMissing>(body), caller, now),
                // Each endpoint's Before: the owning force, and for a return interview the child's local authority too.
                nameof(AssessRisk) => Append(Read<AssessRisk>(body), episode, caller, now, AssessRiskEndpoint.Validate, Owner, AssessRiskEndpoint.Decide),
                nameof(RecordSighting) => Append(Read<RecordSighting>(body), episode, caller, now, RecordSightingEndpoint.Validate, Owner, RecordSightingEndpoint.Decide),
                nameof(RecordFound) => Append(Read<RecordFound>(body), episode, caller, now, RecordFoundEndpoint.Validate, Owner, RecordFoundEndpoint.Decide),
                nameof(RecordReturnInterview) => Append(Read<RecordReturnInterview>(body), episode, caller, now, RecordReturnInterviewEndpoint.Validate,
                    (c, e) => EpisodeAccess.IsOwningForce(c, e) || EpisodeAccess.IsLocalAuthorityOf(c, e), RecordReturnInterviewEndpoint.Decide),
                nameof(ReviewEpisode) => Append(Read<ReviewEpisode>(body), episode, caller, now, ReviewEpisodeEndpoint.Validate, Owner, ReviewEpisodeEndpoint.Decide),
                nameof(TransferEpisode) => Append(Read<TransferEpisode>(body), episode, caller, now, c => TransferEpisodeEndpoint.Validate(c, reference), Owner,
                    TransferEpisodeEndpoint.Decide),
                nameof(CloseEpisode) => Append(Read<CloseEpisode>(body), episode, caller, now, CloseEpisodeEndpoint.Validate, Owner, CloseEpisodeEndpoint.Decide),
                _ => null,
            };
            if (step is null || !messageIds.Add(step.Command.MessageId)) return null;
            foreach (var e in step.Events)
                if (Evolve(episode, e) is { } next) episode = next with { Version = episode?.Version + 1 ?? 1 };
                else return null;
            steps.Add(step);
        }

        return new Decided(group, episode!.Id, steps);
    }

    private T? Read<T>(byte[] body) where T : class =>
        CommandBodies.Inspect(body, typeof(T), _json) is null ? JsonSerializer.Deserialize<T>(body, _json) : null;

    private Step? Report(ReportMissing? command, Caller caller, DateTimeOffset now)
    {
        if (command is null || !caller.IsForce) return null;
        var (report, problem) = ReportMissingEndpoint.Validate(command, reference);
        if (report?.EpisodeId is not { } episodeId || problem != WolverineContinue.NoProblems) return null;
        var personId = PersonIdentity.Of(caller.Agency, report.Person.ForceSubjectId);
        var decision = ReportMissingEndpoint.Decide(episodeId, personId, caller.Agency, report, now);
        return decision.Refusal is null
            ? new Step(command, caller, decision.Events, new EpisodeReported(episodeId, personId, decision.Events.Count),
                StatusCodes.Status201Created, $"/api/episodes/{episodeId}")
            : null;
    }

    private static Step? Append<TCommand, TTyped>(TCommand? command, Episode? episode, Caller caller, DateTimeOffset now,
        Func<TCommand?, (TTyped?, ProblemDetails)> validate, Func<Caller, Episode, bool> permitted, Func<Episode, TTyped, DateTimeOffset, Decision> decide)
        where TCommand : class, IAppendCommand where TTyped : class
    {
        if (command is null || episode is null) return null;
        var (typed, problem) = validate(command);
        if (typed is null || problem != WolverineContinue.NoProblems || !permitted(caller, episode)) return null;
        if (command.ExpectedVersion is { } expected && expected != episode.Version) return null;
        var decision = decide(episode, typed, now);
        return decision.Refusal is null
            ? new Step(command, caller, decision.Events, new EpisodeAppended(episode.Id, episode.Version + decision.Events.Count), StatusCodes.Status200OK, null)
            : null;
    }

    private static bool Owner(Caller caller, Episode episode) => EpisodeAccess.IsOwningForce(caller, episode);

    /// <summary>The snapshot's own Create and Apply, for the events this path writes; anything else is the live path's.</summary>
    private static Episode? Evolve(Episode? episode, object e) => (episode, e) switch
    {
        (null, MissingReported reported) => Episode.Create(reported),
        ({ } x, RiskAssessed assessed) => x.Apply(assessed),
        ({ } x, SightingRecorded sighting) => x.Apply(sighting),
        ({ } x, PersonFound found) => x.Apply(found),
        ({ } x, ReturnInterviewRecorded interview) => x.Apply(interview),
        ({ } x, EpisodeReviewed review) => x.Apply(review),
        ({ } x, EpisodeTransferred transfer) => x.Apply(transfer),
        ({ } x, EpisodeClosed closed) => x.Apply(closed),
        _ => null,
    };
}
