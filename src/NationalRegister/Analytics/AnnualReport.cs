using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NationalRegister.Infrastructure.Auth;
using NationalRegister.Reference;
using Wolverine.Http;

namespace NationalRegister.Analytics;

public sealed record ReportPeriod(DateOnly From, DateOnly To);

public sealed record Breakdown(string Key, long Incidents);

public sealed record ForceBreakdown(string Force, long Incidents, long Individuals);

/// <summary>
/// The national data report for a period (UK days, both ends included), on the lines of the NCA's annual missing persons
/// data report: incidents (episodes whose person went missing, was last seen, in the period, as reported or since corrected), individuals (people, merged records counted once), children
/// and adults, by reporting force, by the highest risk level reached, by outcome, by how long until found, and the share of
/// individuals missing more than once in the period.
/// </summary>
public sealed record AnnualReport(
    DateOnly From, DateOnly To, long Incidents, long Individuals, long ChildIncidents, long AdultIncidents, long ChildIndividuals,
    long AdultIndividuals, IReadOnlyList<ForceBreakdown> ByForce, IReadOnlyList<Breakdown> ByRiskLevel, IReadOnlyList<Breakdown> ByOutcome,
    IReadOnlyList<Breakdown> ByDuration, decimal ShareMissingMoreThanOnce, AsOf AsOf);

/// <summary>One line of the report as CSV: measure, key, value.</summary>
public sealed record ReportLine(string Measure, string Key, decimal Value);

public static class AnnualReportEndpoint
{
    /// <summary>
    /// The whole report in one statement over the incidents in the period (last seen in it: the last_seen_at index, or
    /// reporting_force or local_authority first when filtered). A merged person counts once, as the surviving record.
    /// Time to found in the NCA's bands.
    /// </summary>
    internal static readonly string Sql =
        $$"""
          with incident as materialized (
            select coalesce(l.survivor_id, e.person_id) as person, e.reporting_force, e.is_child,
                   coalesce(e.highest_risk, 'Ungraded') as risk, coalesce(e.outcome, 'NotYetFound') as outcome,
                   case when e.found_at is null then 'not yet found'
                        when e.found_at - e.last_seen_at < interval '24 hours' then 'under 24 hours'
                        when e.found_at - e.last_seen_at < interval '48 hours' then '24 to 48 hours'
                        when e.found_at - e.last_seen_at < interval '7 days' then '2 to 7 days' else 'over 7 days' end as duration
            from {{Tables.Episodes}} e left join {{Tables.Links}} l on l.id = e.person_id
            where e.last_seen_at >= :start and e.last_seen_at < :end
              and (:force is null or e.reporting_force = :force) and (:localAuthority is null or e.local_authority = :localAuthority)
          )
          select jsonb_build_object(
            'incidents', count(*), 'individuals', count(distinct person),
            'childIncidents', count(*) filter (where is_child), 'adultIncidents', count(*) filter (where not is_child),
            'childIndividuals', count(distinct person) filter (where is_child),
            'adultIndividuals', count(distinct person) filter (where not is_child),
            'repeatIndividuals', (select count(*) from (select 1 from incident group by person having count(*) > 1) r),
            'byForce', coalesce((select jsonb_agg(jsonb_build_object('force', reporting_force, 'incidents', n, 'individuals', people)
                                                  order by reporting_force)
                                 from (select reporting_force, count(*) as n, count(distinct person) as people
                                       from incident group by reporting_force) f), '[]'),
            'byRiskLevel', coalesce((select jsonb_agg(jsonb_build_object('key', risk, 'incidents', n) order by risk)
                                     from (select risk, count(*) as n from incident group by risk) b), '[]'),
            'byOutcome', coalesce((select jsonb_agg(jsonb_build_object('key', outcome, 'incidents', n) order by outcome)
                                   from (select outcome, count(*) as n from incident group by outcome) b), '[]'),
            'byDuration', coalesce((select jsonb_agg(jsonb_build_object('key', duration, 'incidents', n) order by duration)
                                    from (select duration, count(*) as n from incident group by duration) b), '[]'))
          from incident
          """;

    private sealed record Totals(
        long Incidents, long Individuals, long ChildIncidents, long AdultIncidents, long ChildIndividuals, long AdultIndividuals,
        long RepeatIndividuals, IReadOnlyList<ForceBreakdown> ByForce, IReadOnlyList<Breakdown> ByRiskLevel,
        IReadOnlyList<Breakdown> ByOutcome, IReadOnlyList<Breakdown> ByDuration);

    public static (Scope?, ReportPeriod?, ProblemDetails) Validate(Caller caller, ReferenceData reference,
        string? force, string? localAuthority, DateOnly? from,
        DateOnly? to)
    {
        if (from is not { } start || to is not { } end || start > end)
            return (null, null, new ProblemDetails
            {
                Status = StatusCodes.Status400BadRequest, Title = "Invalid period",
                Detail = "Give from and to as dates (e.g. from=2025-04-01&to=2026-03-31), from not after to.",
            });
        var (scope, problem) = Scope.For(caller, reference, force, localAuthority);
        return (scope, new ReportPeriod(start, end), problem);
    }

    [WolverineGet("/api/reports/annual", OperationId = "AnnualReport")]
    [Authorize(Policy = Policies.AnalyticsReader)]
    [ProducesResponseType<AnnualReport>(StatusCodes.Status200OK)]
    public static async Task<IResult> Get(Scope scope, ReportPeriod period, HttpContext http, ViewReads views,
        CancellationToken ct)
    {
        var (from, to) = period;
        var (t, asOf) = await views.One<Totals>(Sql, new { scope.Force, scope.LocalAuthority, start = Period.Start(from), end = Period.End(to) },
            Freshness.Episodes, ct);
        var report = new AnnualReport(from, to, t.Incidents, t.Individuals, t.ChildIncidents, t.AdultIncidents, t.ChildIndividuals,
            t.AdultIndividuals, t.ByForce, t.ByRiskLevel, t.ByOutcome, t.ByDuration,
            t.Individuals == 0 ? 0 : Math.Round((decimal)t.RepeatIndividuals / t.Individuals, 3), asOf);
        return Listing.WantsCsv(http) ? Listing.Csv(Lines(report), report.AsOf) : Results.Ok(report);
    }

    private static IEnumerable<ReportLine> Lines(AnnualReport r)
    {
        yield return new("incidents", "all", r.Incidents);
        yield return new("individuals", "all", r.Individuals);
        yield return new("incidents", "children", r.ChildIncidents);
        yield return new("incidents", "adults", r.AdultIncidents);
        yield return new("individuals", "children", r.ChildIndividuals);
        yield return new("individuals", "adults", r.AdultIndividuals);
        foreach (var f in r.ByForce)
        {
            yield return new("incidents by force", f.Force, f.Incidents);
            yield return new("individuals by force", f.Force, f.Individuals);
        }

        foreach (var b in r.ByRiskLevel) yield return new("incidents by highest risk level", b.Key, b.Incidents);
        foreach (var b in r.ByOutcome) yield return new("incidents by outcome", b.Key, b.Incidents);
        foreach (var b in r.ByDuration) yield return new("incidents by time to found", b.Key, b.Incidents);
        yield return new("share of individuals missing more than once", "all", r.ShareMissingMoreThanOnce);
    }
}
