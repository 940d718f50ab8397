using JasperFx.Events.Projections;
using Marten;

namespace NationalRegister.Analytics;

public static class Configuration
{
    public static WebApplicationBuilder AddAnalyticsServices(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<Freshness>();
        return builder;
    }

    public static StoreOptions AddAnalytics(this StoreOptions options)
    {
        // Async: the national views never slow a force's write; each answer says how fresh it is (asOf).
        // Pages of 5,000 events rather than the default: catching up on a backfill is bounded by the round trips per page.
        options.Projections.Snapshot<EpisodeRecord>(SnapshotLifecycle.Async, daemon => daemon.BatchSize = 5_000);

        // Plain columns for what the views filter and group by, each with the one index its queries use ("open" is
        // missing now: reported and not yet found). Everything else the views show is read from the document.
        const string Open = "status = 'Missing'";
        options.Schema.For<EpisodeRecord>()
            .Duplicate(e => e.PersonId, configure: i => i.Columns = ["person_id", "last_seen_at"])      // repeat missing
            .Duplicate(e => e.LastSeenAt, configure: i => i.Predicate = Open)                          // missing now, longest first
            .Duplicate(e => e.Status, configure: i => (i.Columns, i.Predicate) = (["force", "risk_level"], Open)) // by force x risk
            .Duplicate(e => e.Force, configure: i => i.Columns = ["force", "status"])
            .Duplicate(e => e.LocalAuthority, configure: i => i.Columns = ["local_authority", "status"])
            .Duplicate(e => e.RiskLevel, configure: i => (i.Columns, i.Predicate) = (["risk_level", "last_seen_at"], Open))
            .Duplicate(e => e.IsChild, configure: i =>                                                  // interviews not done
                (i.Columns, i.Predicate) = (["found_at"], "is_child and return_interview_at is null and found_at is not null"))
            .Duplicate(e => e.ReportedAt)                                                               // the annual report
            .Duplicate(e => e.FoundAt)                                                                  // found today, timeliness
            .Duplicate(e => e.ReturnInterviewAt, configure: i => i.Columns = ["local_authority", "found_at", "return_interview_at"]);
        options.Projections.Add<PersonRecordProjection>(ProjectionLifecycle.Async);
        options.Schema.For<PersonRecord>().Duplicate(p => p.MatchKey).Duplicate(p => p.Force, configure: i => i.Columns = ["force", "match_key"]);
        return options;
    }
}
