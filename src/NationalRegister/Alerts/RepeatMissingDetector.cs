using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Microsoft.Extensions.Options;
using NationalRegister.Episodes;
using NationalRegister.Infrastructure.Commands;
using NationalRegister.People;
using Wolverine;
using Wolverine.Attributes;
using Wolverine.Marten.Subscriptions;

namespace NationalRegister.Alerts;

/// <summary>
/// Reads the reports and merges after they commit (a Marten subscription run by the async daemon under Wolverine: in
/// order, one page at a time, on one node) and counts each person's episodes, all their merged records and every force,
/// in each threshold's window, which ends when the person was last seen this time, so a late report lands in the right
/// window. A threshold reached raises one alert per burst: a message published through Wolverine's outbox, committed with
/// the subscription's progress, which <see cref="AlertRecorder"/> records as an event (and any other system may subscribe
/// to). Bursts older than the longest window raise nothing, so the first start over years of history is quiet. Forces'
/// writes never wait for any of this.
/// </summary>
public sealed class RepeatMissingDetector : BatchSubscription
{
    private static readonly Guid AlertNamespace = new("3b1e9d0c-7a52-5f84-b6c3-9e2d1a4f0c77");
    private readonly RepeatThresholds _thresholds;
    private readonly TimeProvider _clock;

    /// <summary>Alerts raised but perhaps not yet recorded (their message still in the outbox): one subscription, one node.</summary>
    private readonly List<RepeatMissingAlert> _raised = [];

    public RepeatMissingDetector(IOptions<RepeatThresholds> thresholds, TimeProvider clock) : base("RepeatMissingAlerts")
    {
        (_thresholds, _clock) = (thresholds.Value, clock);
        IncludeType<MissingReported>();
        IncludeType<PeopleMerged>();
        // Corrections move an episode into other windows (a last-seen time) or to another person (a relink).
        IncludeType<LastSeenCorrected>();
        IncludeType<EpisodeRelinked>();
    }

    public override async Task ProcessEventsAsync(EventRange page, ISubscriptionController controller, IDocumentOperations operations,
        IMessageBus bus, CancellationToken cancellationToken)
    {
        var now = _clock.GetUtcNow();
        _raised.RemoveAll(a => a.RaisedAt < now.AddHours(-1));
        // Only windows that end within the longest window of now raise an alert (Detect), and a report can only complete a
        // window it falls in: one last seen before twice that long ago can raise nothing, so a backfilled decade is read,
        // not queried, but for its last months.
        var quiet = now.AddDays(-2 * _thresholds.Thresholds.Max(t => t.Days));
        var events = page.Events.Where(e => e.Data is not MissingReported { LastSeenAt: var lastSeen } || lastSeen > quiet).ToList();
        if (events.Count == 0) return;

        // The page's reads at once (links, episodes, alert events of every person concerned): a handful of queries per page,
        // not four per report. Each read is of the state after the page, as one read per event would also see.
        var corrected = (await operations.LoadManyAsync<Episode>(cancellationToken,
            events.Where(e => e.Data is LastSeenCorrected).Select(e => e.StreamId).Distinct())).ToDictionary(e => e.Id);
        var concerned = events.Select(e => e.Data switch
        {
            MissingReported r => (Event: e, Person: r.PersonId, Ending: (Guid?)r.EpisodeId),
            PeopleMerged m => (e, m.IntoPersonId, null),
            EpisodeRelinked l => (e, l.ToPersonId, null),
            LastSeenCorrected when corrected.GetValueOrDefault(e.StreamId) is { } episode => (e, episode.PersonId, episode.Id),
            _ => (e, Guid.Empty, null),
        }).Where(c => c.Person != Guid.Empty).ToList();
        if (concerned.Count == 0) return;
        var people = await LinkedPerson.ResolveMany(operations, [.. concerned.Select(c => c.Person)], cancellationToken);
        var records = people.Values.SelectMany(p => p.Records).Distinct().ToArray();
        var episodes = (await operations.Query<Episode>().Where(e => records.Contains(e.PersonId)).ToListAsync(cancellationToken))
            .ToLookup(e => e.PersonId);
        var recorded = (await operations.Events.QueryRawEventDataOnly<RepeatMissingAlertRaised>().Where(a => records.Contains(a.PersonId))
            .ToListAsync(cancellationToken)).Select(RepeatMissingAlert.Create).ToList();

        foreach (var (_, personId, ending) in concerned)
        {
            var person = people[personId];
            foreach (var alert in Detect(person, [.. person.Records.SelectMany(r => episodes[r])], ending,
                         [.. recorded.Where(a => person.Records.Contains(a.PersonId)), .. _raised.Where(a => person.Records.Contains(a.PersonId))],
                         now))
            {
                await bus.PublishAsync(alert);
                _raised.Add(RepeatMissingAlert.Create(alert));
            }
        }
    }

    /// <param name="ending">The episode just reported, whose windows (those that hold it) to check; null for every window (after a merge).</param>
    /// <param name="alerts">Those raised for the person so far: from the alert events themselves, not their async view, and those
    /// raised moments ago whose event may not be recorded yet.</param>
    private List<RepeatMissingAlertRaised> Detect(LinkedPerson person, IReadOnlyList<Episode> episodes, Guid? ending,
        List<RepeatMissingAlert> alerts, DateTimeOffset now)
    {
        var survivor = person.SurvivorId;
        var recent = now.AddDays(-_thresholds.Thresholds.Max(t => t.Days));
        var found = new List<RepeatMissingAlertRaised>();

        var reported = episodes.FirstOrDefault(e => e.Id == ending);
        foreach (var threshold in _thresholds.Thresholds)
        foreach (var end in episodes.Where(e => e.LastSeenAt > recent && (reported is null || Holds(e, reported, threshold))).OrderBy(e => e.LastSeenAt))
        {
            var windowStart = end.LastSeenAt.AddDays(-threshold.Days);
            var inWindow = episodes.Where(e => e.LastSeenAt > windowStart && e.LastSeenAt <= end.LastSeenAt).OrderBy(e => e.LastSeenAt).ToList();
            if (inWindow.Count < threshold.Episodes) continue;
            if (alerts.Any(a => a.Episodes == threshold.Episodes && a.WindowDays == threshold.Days && a.WindowEnd > windowStart)) continue;

            var alert = new RepeatMissingAlertRaised(
                NameBasedId.Create(AlertNamespace, $"{survivor:D}\n{threshold.Episodes}\n{threshold.Days}\n{end.Id:D}"), survivor,
                threshold.Episodes, threshold.Days, [.. inWindow.Select(e => e.Id)],
                [.. inWindow.Select(e => e.Force).Distinct().Order(StringComparer.Ordinal)],
                [.. inWindow.Select(e => e.LocalAuthority).OfType<string>().Distinct().Order(StringComparer.Ordinal)],
                inWindow[0].LastSeenAt, end.LastSeenAt, now);
            found.Add(alert);
            alerts.Add(RepeatMissingAlert.Create(alert));
        }

        return found;
    }

    /// <summary>
    /// Whether the window ending when the person was last seen in <paramref name="end"/> holds the episode just reported: a
    /// report that arrives late (last seen before episodes already known) completes the windows of those later episodes.
    /// </summary>
    private static bool Holds(Episode end, Episode reported, RepeatThresholds.Threshold threshold) =>
        reported.LastSeenAt <= end.LastSeenAt && reported.LastSeenAt > end.LastSeenAt.AddDays(-threshold.Days);
}

/// <summary>
/// Records each raised alert as an event on its own stream (once: a repeat of the message finds the stream there) and
/// writes one line of ids to the log. Other systems subscribe by routing <see cref="RepeatMissingAlertRaised"/> to their
/// transport (Wolverine's PublishMessage) beside this.
/// </summary>
[WolverineHandler]
public static partial class AlertRecorder
{
    public static async Task Handle(RepeatMissingAlertRaised raised, IDocumentSession session, ILogger<RepeatMissingAlert> logger,
        CancellationToken ct)
    {
        if (await session.Events.FetchStreamStateAsync(raised.AlertId, ct) is not null) return;
        session.Events.StartStream<RepeatMissingAlert>(raised.AlertId, raised);
        LogRaised(logger, raised.AlertId, raised.PersonId, raised.Episodes, raised.WindowDays);
    }

    [LoggerMessage(LogLevel.Information, "Repeat-missing alert {AlertId}: person {PersonId}, {Episodes} episodes in {Days} days")]
    private static partial void LogRaised(ILogger logger, Guid alertId, Guid personId, int episodes, int days);
}
