using JasperFx.Events;
using Marten;
using Microsoft.Extensions.Options;
using NationalRegister.Episodes;
using NationalRegister.Infrastructure.Commands;
using NationalRegister.People;
using Wolverine.Attributes;

namespace NationalRegister.Alerts;

/// <summary>
/// After each report (and each merge), counts the person's episodes (all their merged records, every force) in each
/// threshold's window, which ends when the person was last seen this time, so a late report lands in the right window.
/// A threshold reached raises one alert per burst: none again while an alert of that threshold covers the window.
/// </summary>
[WolverineHandler]
public static class RepeatMissingDetector
{
    private static readonly Guid AlertNamespace = new("3b1e9d0c-7a52-5f84-b6c3-9e2d1a4f0c77");

    public static Task Handle(IEvent<MissingReported> reported, IDocumentSession session, IOptions<RepeatThresholds> thresholds,
        TimeProvider clock, CancellationToken ct) =>
        Detect(session, reported.Data.PersonId, [reported.Data.EpisodeId], thresholds.Value, clock.GetUtcNow(), ct);

    public static Task Handle(IEvent<PeopleMerged> merged, IDocumentSession session, IOptions<RepeatThresholds> thresholds,
        TimeProvider clock, CancellationToken ct) =>
        Detect(session, merged.Data.IntoPersonId, null, thresholds.Value, clock.GetUtcNow(), ct);

    /// <param name="ending">The episodes whose windows to check, or null for every episode of the person (after a merge).</param>
    private static async Task Detect(IDocumentSession session, Guid personId, IReadOnlyList<Guid>? ending, RepeatThresholds thresholds,
        DateTimeOffset now, CancellationToken ct)
    {
        var survivor = (await session.LoadAsync<PersonLink>(personId, ct))?.SurvivorId ?? personId;
        Guid[] records = [survivor, .. await session.Query<PersonLink>().Where(l => l.SurvivorId == survivor).Select(l => l.Id).ToListAsync(ct)];
        var episodes = await session.Query<Episode>().Where(e => records.Contains(e.PersonId)).ToListAsync(ct);
        var alerts = (await session.Query<RepeatMissingAlert>().Where(a => records.Contains(a.PersonId)).ToListAsync(ct)).ToList();

        foreach (var end in episodes.Where(e => ending?.Contains(e.Id) ?? true).OrderBy(e => e.LastSeenAt))
        foreach (var threshold in thresholds.Thresholds)
        {
            var windowStart = end.LastSeenAt.AddDays(-threshold.Days);
            var inWindow = episodes.Where(e => e.LastSeenAt > windowStart && e.LastSeenAt <= end.LastSeenAt).OrderBy(e => e.LastSeenAt).ToList();
            if (inWindow.Count < threshold.Episodes) continue;
            if (alerts.Any(a => a.Episodes == threshold.Episodes && a.WindowDays == threshold.Days && a.WindowEnd > windowStart)) continue;

            var raised = new RepeatMissingAlertRaised(
                NameBasedId.Create(AlertNamespace, $"{survivor:D}\n{threshold.Episodes}\n{threshold.Days}\n{end.Id:D}"), survivor,
                threshold.Episodes, threshold.Days, [.. inWindow.Select(e => e.Id)],
                [.. inWindow.Select(e => e.Force).Distinct().Order(StringComparer.Ordinal)],
                [.. inWindow.Select(e => e.LocalAuthority).OfType<string>().Distinct().Order(StringComparer.Ordinal)],
                inWindow[0].LastSeenAt, end.LastSeenAt, now);
            session.Events.StartStream<RepeatMissingAlert>(raised.AlertId, raised);
            alerts.Add(RepeatMissingAlert.Create(raised));
        }
    }
}

/// <summary>
/// Where a raised alert goes beyond the register: this node's log, one line of ids. Other systems subscribe by routing
/// <see cref="RepeatMissingAlertRaised"/> to their transport (Wolverine's PublishMessage) next to this.
/// </summary>
[WolverineHandler]
public static partial class AlertNotices
{
    public static void Handle(IEvent<RepeatMissingAlertRaised> raised, ILogger<RepeatMissingAlert> logger) =>
        LogRaised(logger, raised.Data.AlertId, raised.Data.PersonId, raised.Data.Episodes, raised.Data.WindowDays);

    [LoggerMessage(LogLevel.Information, "Repeat-missing alert {AlertId}: person {PersonId}, {Episodes} episodes in {Days} days")]
    private static partial void LogRaised(ILogger logger, Guid alertId, Guid personId, int episodes, int days);
}
