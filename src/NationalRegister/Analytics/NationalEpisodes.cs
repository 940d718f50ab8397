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

    /// <summary>
    /// Whole years on the UTC day of <paramref name="at"/>, as <see cref="AgeBands.YearsOld"/> counts them (a 29 February
    /// birthday falls on 28 February, as DateOnly.AddYears and PostgreSQL's date arithmetic both have it).
    /// </summary>
    internal static string YearsOld(string dateOfBirth, string at) =>
        $"(extract(year from ({at} at time zone 'UTC'))::int - extract(year from {dateOfBirth})::int - " +
        $"case when ({dateOfBirth} + make_interval(years => extract(year from ({at} at time zone 'UTC'))::int - extract(year from {dateOfBirth})::int))::date " +
        $"> ({at} at time zone 'UTC')::date then 1 else 0 end)";

    /// <summary>Under 18 on the day last seen, as <see cref="EpisodeRules.IsChild"/> has it.</summary>
    internal static string IsChild(string dateOfBirth, string at) =>
        $"(({dateOfBirth} + interval '18 years')::date > ({at} at time zone 'UTC')::date)";
}

/// <summary>
/// Keeps <see cref="NationalEpisodes"/> from the episode streams, one SQL statement per event, batched by the async daemon
/// in the page's transaction; a rebuild empties the table first. Corrections are followed: every view takes the corrected value.
/// </summary>
public sealed partial class NationalEpisodesProjection : EventProjection
{
    private const string T = NationalEpisodes.Table;

    public NationalEpisodesProjection()
    {
        Name = Freshness.Episodes;
        var table = NationalEpisodes.Definition();
        SchemaObjects.Add(table);
        Options.DeleteDataInTableOnTeardown(table.Identifier.QualifiedName);
        // Pages of 5,000 events: catching up on a backfill is bounded by the round trips per page.
        Options.BatchSize = 5_000;
    }

    public void Project(IEvent<MissingReported> e, IDocumentOperations ops)
    {
        var r = e.Data;
        ops.QueueSqlCommand(
            $"""
             insert into {T} (id, person_id, force, reporting_force, local_authority, is_child, date_of_birth, age_when_last_seen,
                              status, reported_at, last_seen_at)
             values (?, ?, ?, ?, ?::text, ?, ?, ?, 'Missing', ?, ?) on conflict (id) do nothing
             """,
            r.EpisodeId, r.PersonId, r.Force, r.Force, Text(r.LocalAuthority), r.IsChild, r.Person.DateOfBirth,
            AgeBands.YearsOld(r.Person.DateOfBirth, r.LastSeenAt), r.ReportedAt.ToUniversalTime(), r.LastSeenAt.ToUniversalTime());
    }

    public void Project(IEvent<RiskAssessed> e, IDocumentOperations ops) =>
        ops.QueueSqlCommand(
            $"""
             update {T} set risk_level = ?,
               highest_risk = case when array_position(array['VeryLow', 'Low', 'Medium', 'High'], highest_risk) > ? then highest_risk else ? end
             where id = ?
             """,
            e.Data.Level.ToString(), (int)e.Data.Level, e.Data.Level.ToString(), e.StreamId);

    public void Project(IEvent<PersonFound> e, IDocumentOperations ops) =>
        Set(ops, e, "status = 'Found', found_at = ?, outcome = ?", e.Data.FoundAt.ToUniversalTime(), e.Data.Outcome.ToString());

    public void Project(IEvent<ReturnInterviewRecorded> e, IDocumentOperations ops) =>
        Set(ops, e, "return_interview_at = ?, return_interview_outcome = ?", e.Data.ConductedAt.ToUniversalTime(), e.Data.Outcome.ToString());

    public void Project(IEvent<EpisodeClosed> e, IDocumentOperations ops) =>
        Set(ops, e, "status = 'Closed', closed_at = ?", e.Data.ClosedAt.ToUniversalTime());

    public void Project(IEvent<EpisodeTransferred> e, IDocumentOperations ops) => Set(ops, e, "force = ?", e.Data.ToForce);

    public void Project(IEvent<LocalAuthorityMapped> e, IDocumentOperations ops) => Set(ops, e, "local_authority = ?", e.Data.To);

    public void Project(IEvent<LocalAuthorityCorrected> e, IDocumentOperations ops) => Set(ops, e, "local_authority = ?", e.Data.To);

    public void Project(IEvent<EpisodeReviewed> e, IDocumentOperations ops) =>
        Set(ops, e, "last_reviewed_at = ?, next_review_due = ?::timestamptz", e.Data.ReviewedAt.ToUniversalTime(), Instant(e.Data.NextReviewDue));

    public void Project(IEvent<EventRetracted> e, IDocumentOperations ops) =>
        Set(ops, e, "risk_level = ?::text, highest_risk = ?::text, last_reviewed_at = ?::timestamptz, next_review_due = ?::timestamptz",
            Text(e.Data.RiskLevel?.ToString()), Text(e.Data.HighestRisk?.ToString()), Instant(e.Data.LastReviewedAt), Instant(e.Data.NextReviewDue));

    // A corrected last-seen time or date of birth moves the age, and with it the band and whether the person was a child.
    public void Project(IEvent<LastSeenCorrected> e, IDocumentOperations ops) =>
        Aged(ops, e, "date_of_birth", "?::timestamptz", e.Data.To.ToUniversalTime());

    public void Project(IEvent<PersonDetailsCorrected> e, IDocumentOperations ops) =>
        Aged(ops, e, "?::date", "last_seen_at", e.Data.To.DateOfBirth);

    public void Project(IEvent<EpisodeRelinked> e, IDocumentOperations ops) =>
        Aged(ops, e, "?::date", "last_seen_at", e.Data.Person.DateOfBirth, ("person_id = ?", e.Data.ToPersonId));

    private static void Set(IDocumentOperations ops, IEvent e, string assignments, params object[] values) =>
        ops.QueueSqlCommand($"update {T} set {assignments} where id = ?", [.. values, e.StreamId]);

    /// <summary>Sets the date of birth and last-seen time (one of them given, as a parameter) and works the age out again from both.</summary>
    private static void Aged(IDocumentOperations ops, IEvent e, string dateOfBirth, string lastSeenAt, object given,
        (string Assignment, object Value)? also = null)
    {
        var (dob, at) = ("v.date_of_birth", "v.last_seen_at");
        var extra = also is { } a ? $", {a.Assignment}" : "";
        ops.QueueSqlCommand(
            $"""
             update {T} t set date_of_birth = {dob}, last_seen_at = {at}, age_when_last_seen = {NationalEpisodes.YearsOld(dob, at)},
               is_child = {NationalEpisodes.IsChild(dob, at)}{extra}
             from (select {dateOfBirth} as date_of_birth, {lastSeenAt} as last_seen_at from {T} where id = ?) v
             where t.id = ?
             """,
            also is { } b ? [b.Value, given, e.StreamId, e.StreamId] : [given, e.StreamId, e.StreamId]);
    }

    private static object Text(string? value) => (object?)value ?? DBNull.Value;

    private static object Instant(DateTimeOffset? value) => value is { } v ? v.ToUniversalTime() : DBNull.Value;
}
