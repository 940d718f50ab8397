using JasperFx.Events;
using Marten;
using Marten.Events.Projections;
using NationalRegister.Episodes;
using NationalRegister.Infrastructure;
using Weasel.Postgresql.Tables;

namespace NationalRegister.Analytics;

/// <summary>
/// The national views' own table: one row per episode with real, typed columns, kept by <see cref="NationalEpisodesProjection"/>.
/// It holds what analysts may see (an opaque person id, an age, no name, date of birth or reference) and the instants the
/// views need; anything that depends on "now" (missing for over 72 hours, overdue) is worked out at query time.
/// The views name these columns in their SQL; <c>ViewSqlTests</c> fails when one names a column that is not here.
/// </summary>
public static class NationalEpisodes
{
    public const string Name = "national_episode";
    public const string Table = $"{EventStore.Schema}.{Name}";

    /// <summary>"Missing now": reported and not yet found.</summary>
    public const string Open = "status = 'Missing'";

    /// <summary>Children found with no return interview recorded yet: the overdue list's rows.</summary>
    public const string InterviewPending = "is_child and return_interview_at is null and found_at is not null";

    public static Table Definition()
    {
        var table = new Table(Table);
        table.AddColumn<Guid>("id").AsPrimaryKey();
        table.AddColumn<Guid>("person_id").NotNull();
        table.AddColumn("force", "text").NotNull();
        // The force that reported it, whoever owns it after a transfer: the annual report counts incidents by it.
        table.AddColumn("reporting_force", "text").NotNull();
        table.AddColumn("local_authority", "text");
        table.AddColumn("is_child", "boolean").NotNull();
        // Kept only to work the age out again when a correction moves the last-seen time or the date of birth; no view selects it.
        table.AddColumn("date_of_birth", "date").NotNull();
        table.AddColumn("age_when_last_seen", "integer").NotNull();
        table.AddColumn("status", "text").NotNull();
        table.AddColumn("risk_level", "text");
        table.AddColumn("highest_risk", "text");
        table.AddColumn("reported_at", "timestamptz").NotNull();
        table.AddColumn("last_seen_at", "timestamptz").NotNull();
        table.AddColumn("found_at", "timestamptz");
        table.AddColumn("outcome", "text");
        table.AddColumn("return_interview_at", "timestamptz");
        table.AddColumn("return_interview_outcome", "text");
        table.AddColumn("last_reviewed_at", "timestamptz");
        table.AddColumn("next_review_due", "timestamptz");
        table.AddColumn("closed_at", "timestamptz");

        // One index per query shape (EXPLAIN for each view: bench/explain.sql).
        Index(table, "open", ["last_seen_at", "id"], Open);                                     // missing now, longest first
        Index(table, "open_force", ["force", "last_seen_at"], Open);                            // a force's missing now
        Index(table, "open_la", ["local_authority", "last_seen_at"], Open);                     // children's services' missing now
        Index(table, "last_seen", ["last_seen_at"], include: ["person_id", "force", "is_child", "reported_at", "age_when_last_seen"]); // windows
        Index(table, "reporting_force", ["reporting_force", "last_seen_at"]);                   // the annual report for a force
        Index(table, "la_last_seen", ["local_authority", "last_seen_at"]);                      // ... for a local authority
        Index(table, "found", ["found_at"]);                                                    // found today
        Index(table, "interview_pending", ["found_at", "id"], InterviewPending);                // overdue return interviews
        Index(table, "la_found", ["local_authority", "found_at"], "is_child and found_at is not null"); // timeliness
        Index(table, "person", ["person_id", "last_seen_at"]);                                  // a person's episodes
        return table;
    }

    private static void Index(Table table, string name, string[] columns, string? predicate = null, string[]? include = null) =>
        table.Indexes.Add(new IndexDefinition($"ix_{Name}_{name}") { Columns = columns, Predicate = predicate, IncludeColumns = include ?? [] });
}

/// <summary>
/// Keeps <see cref="NationalEpisodes"/> from the episode streams, a page of events at a time (5,000 when catching up): the
/// rows of the episodes the page touches are read in one query, each is folded in memory through its events
/// (<see cref="NationalEpisode.Apply(object)"/>), and all are written back with one statement, in the page's transaction with
/// the daemon's progress. A rebuild empties the table first. Corrections are followed: every view takes the corrected value.
/// </summary>
public sealed class NationalEpisodesProjection : EventProjection
{
    private const string T = NationalEpisodes.Table;

    private static readonly string Load =
        $"""
         select jsonb_build_object('rows', coalesce(jsonb_agg(jsonb_build_object('id', id, 'personId', person_id, 'force', force, 'reportingForce', reporting_force,
           'localAuthority', local_authority, 'isChild', is_child, 'ageWhenLastSeen', age_when_last_seen, 'dateOfBirth', date_of_birth,
           'status', status, 'riskLevel', risk_level, 'highestRisk', highest_risk, 'reportedAt', reported_at, 'lastSeenAt', last_seen_at,
           'foundAt', found_at, 'outcome', outcome, 'returnInterviewAt', return_interview_at,
           'returnInterviewOutcome', return_interview_outcome, 'lastReviewedAt', last_reviewed_at, 'nextReviewDue', next_review_due,
           'closedAt', closed_at)), '[]'))
         from {T} where id = any(:ids)
         """;

    private static readonly string Write =
        $"""
         insert into {T} (id, person_id, force, reporting_force, local_authority, is_child, age_when_last_seen, date_of_birth, status,
                          risk_level, highest_risk, reported_at, last_seen_at, found_at, outcome, return_interview_at,
                          return_interview_outcome, last_reviewed_at, next_review_due, closed_at)
         select * from unnest(?::uuid[], ?::uuid[], ?::text[], ?::text[], ?::text[], ?::boolean[], ?::integer[], ?::date[], ?::text[],
                              ?::text[], ?::text[], ?::timestamptz[], ?::timestamptz[], ?::timestamptz[], ?::text[], ?::timestamptz[],
                              ?::text[], ?::timestamptz[], ?::timestamptz[], ?::timestamptz[])
         on conflict (id) do update set person_id = excluded.person_id, force = excluded.force,
           reporting_force = excluded.reporting_force, local_authority = excluded.local_authority, is_child = excluded.is_child,
           age_when_last_seen = excluded.age_when_last_seen, date_of_birth = excluded.date_of_birth, status = excluded.status,
           risk_level = excluded.risk_level, highest_risk = excluded.highest_risk, reported_at = excluded.reported_at,
           last_seen_at = excluded.last_seen_at, found_at = excluded.found_at, outcome = excluded.outcome,
           return_interview_at = excluded.return_interview_at, return_interview_outcome = excluded.return_interview_outcome,
           last_reviewed_at = excluded.last_reviewed_at, next_review_due = excluded.next_review_due, closed_at = excluded.closed_at
         """;

    public NationalEpisodesProjection()
    {
        Name = Freshness.Episodes;
        var table = NationalEpisodes.Definition();
        SchemaObjects.Add(table);
        Options.DeleteDataInTableOnTeardown(table.Identifier.QualifiedName);
        // Pages of 5,000 events: catching up on a backfill is bounded by the round trips per page.
        Options.BatchSize = 5_000;
        IncludeType<MissingReported>();
        IncludeType<RiskAssessed>();
        IncludeType<PersonFound>();
        IncludeType<ReturnInterviewRecorded>();
        IncludeType<EpisodeClosed>();
        IncludeType<EpisodeTransferred>();
        IncludeType<LocalAuthorityMapped>();
        IncludeType<LastSeenCorrected>();
        IncludeType<PersonDetailsCorrected>();
        IncludeType<LocalAuthorityCorrected>();
        IncludeType<EpisodeRelinked>();
        IncludeType<EventRetracted>();
        IncludeType<EpisodeReviewed>();
    }

    /// <summary>Nothing per event: the page's work is done once, in <see cref="EnrichEventsAsync"/>, before the events are offered one by one.</summary>
    public override ValueTask ApplyAsync(IDocumentOperations operations, IEvent e, CancellationToken cancellation) => ValueTask.CompletedTask;

    public override async Task EnrichEventsAsync(IQuerySession querySession, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        if (events.Count == 0) return;
        var operations = querySession as IDocumentOperations
                         ?? throw new InvalidOperationException("The national episodes are written in the page's own session.");
        var reported = events.Where(e => e.Data is MissingReported).Select(e => e.StreamId).ToHashSet();
        var earlier = events.Select(e => e.StreamId).Where(id => !reported.Contains(id)).Distinct().ToArray();
        var rows = earlier.Length == 0
            ? []
            : (await querySession.AdvancedSql.QueryAsync<Loaded>(Load, cancellation, new { ids = earlier }))[0].Rows.ToDictionary(r => r.Id);
        foreach (var e in events)
        {
            if (e.Data is MissingReported report) rows[e.StreamId] = NationalEpisode.Create(report);
            else if (rows.TryGetValue(e.StreamId, out var row)) rows[e.StreamId] = row.Apply(e.Data);
        }

        if (rows.Count == 0) return;
        var r = rows.Values.ToArray();
        operations.QueueSqlCommand(Write,
            r.Select(x => x.Id).ToArray(), r.Select(x => x.PersonId).ToArray(), r.Select(x => x.Force).ToArray(),
            r.Select(x => x.ReportingForce).ToArray(), r.Select(x => x.LocalAuthority).ToArray(), r.Select(x => x.IsChild).ToArray(),
            r.Select(x => x.AgeWhenLastSeen).ToArray(), r.Select(x => x.DateOfBirth).ToArray(), r.Select(x => x.Status.ToString()).ToArray(),
            r.Select(x => x.RiskLevel?.ToString()).ToArray(), r.Select(x => x.HighestRisk?.ToString()).ToArray(),
            Utc(r, x => x.ReportedAt), Utc(r, x => x.LastSeenAt), Utc(r, x => x.FoundAt), r.Select(x => x.Outcome?.ToString()).ToArray(),
            Utc(r, x => x.ReturnInterviewAt), r.Select(x => x.ReturnInterviewOutcome?.ToString()).ToArray(),
            Utc(r, x => x.LastReviewedAt), Utc(r, x => x.NextReviewDue), Utc(r, x => x.ClosedAt));
    }

    /// <summary>The rows in one JSON value (a row type with an Id would be read by Marten as a document).</summary>
    private sealed record Loaded(IReadOnlyList<NationalEpisode> Rows);

    // timestamptz takes UTC instants only (Npgsql); a force may send +01:00.
    private static DateTimeOffset?[] Utc(NationalEpisode[] rows, Func<NationalEpisode, DateTimeOffset?> instant) =>
        [.. rows.Select(x => instant(x)?.ToUniversalTime())];
}
