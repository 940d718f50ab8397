using JasperFx.Events.Projections;
using Marten;

namespace NationalRegister.Analytics;

public static class Configuration
{
    public static StoreOptions AddAnalytics(this StoreOptions options)
    {
        // Async: the national views never slow a force's write; each answer says how fresh it is (asOf).
        options.Projections.Snapshot<EpisodeRecord>(SnapshotLifecycle.Async);
        // Plain columns for the views' filters and groupings.
        options.Schema.For<EpisodeRecord>()
            .Duplicate(e => e.PersonId)
            .Duplicate(e => e.Force)
            .Duplicate(e => e.LocalAuthority)
            .Duplicate(e => e.Status)
            .Duplicate(e => e.RiskLevel)
            .Duplicate(e => e.HighestRisk)
            .Duplicate(e => e.IsChild)
            .Duplicate(e => e.AgeWhenLastSeen)
            .Duplicate(e => e.ReportedAt)
            .Duplicate(e => e.LastSeenAt)
            .Duplicate(e => e.FoundAt)
            .Duplicate(e => e.Outcome)
            .Duplicate(e => e.ReturnInterviewAt)
            .Duplicate(e => e.ReturnInterviewOutcome)
            .Duplicate(e => e.LastReviewedAt)
            .Duplicate(e => e.NextReviewDue)
            .Duplicate(e => e.ClosedAt);
        return options;
    }
}
