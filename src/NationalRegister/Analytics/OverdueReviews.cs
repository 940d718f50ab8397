using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using NationalRegister.Episodes;
using NationalRegister.Infrastructure.Auth;
using NationalRegister.Reference;
using Wolverine.Http;

namespace NationalRegister.Analytics;

public sealed record OverdueReview(
    Guid EpisodeId, Guid PersonId, string Force, RiskLevel? RiskLevel, DateTimeOffset ReportedAt, DateTimeOffset? LastReviewedAt,
    DateTimeOffset NextReviewDue, decimal HoursOverdue);

/// <summary>
/// Open cases whose next supervisory review is past due: set by the last review, or the force's interval for the case's risk
/// level from the last review (or the report). Worked out at query time, so a changed interval applies at once.
/// </summary>
public static class OverdueReviewsEndpoint
{
    /// <summary>
    /// Open cases in scope with the review due worked out for each: the last review's own next date, or the last review (or
    /// the report) plus the interval for the case's risk level, the force's own first, then the configured default, then
    /// the standard one (the intervals arrive as three arrays, one row per configured force and level).
    /// </summary>
    internal static readonly string Sql =
        $$"""
          with due as not materialized (
            select e.id as "episodeId", coalesce(l.survivor_id, e.person_id) as "personId", e.force, e.risk_level as "riskLevel",
                   e.reported_at as "reportedAt", e.last_reviewed_at as "lastReviewedAt",
                   coalesce(e.next_review_due, coalesce(e.last_reviewed_at, e.reported_at)
                     + make_interval(secs => 3600 * coalesce(own.hours, configured.hours, standard.hours))) as "nextReviewDue"
            from {{Tables.Episodes}} e left join {{Tables.Links}} l on l.id = e.person_id
              left join unnest(:forces, :levels, :hours) as own(force, level, hours)
                on own.force = e.force and own.level = coalesce(e.risk_level, 'Ungraded')
              left join unnest(:forces, :levels, :hours) as configured(force, level, hours)
                on configured.force = 'Default' and configured.level = coalesce(e.risk_level, 'Ungraded')
              left join unnest(:standardLevels, :standardHours) as standard(level, hours)
                on standard.level = coalesce(e.risk_level, 'Ungraded')
            where e.status = 'Missing'
              and (:force is null or e.force = :force) and (:localAuthority is null or e.local_authority = :localAuthority)
              and (:riskLevel is null or e.risk_level = :riskLevel)
          ),
          overdue as not materialized (
            select *, {{ViewReads.HoursSince("\"nextReviewDue\"")}} as "hoursOverdue" from due where "nextReviewDue" < :now
          )
          select jsonb_build_object('total', (select count(*) from overdue), 'items', coalesce((
            select jsonb_agg(to_jsonb(p) order by p."nextReviewDue", p."episodeId")
            from (select * from overdue where (:afterAt is null or ("nextReviewDue", "episodeId") > (:afterAt, :afterId))
                  order by "nextReviewDue", "episodeId" limit :limit offset :offset) p), '[]'))
          """;

    public static (Scope?, ProblemDetails) Validate(Caller caller, ReferenceData reference,
        string? force, string? localAuthority, string? riskLevel, int? page,
        int? pageSize, string? after) => Scope.ForList(caller, reference, force, localAuthority, riskLevel, page, pageSize, after);

    [WolverineGet("/api/analytics/reviews/overdue", OperationId = "OverdueReviews")]
    [Authorize(Policy = Policies.AnalyticsReader)]
    [ProducesResponseType<PageOf<OverdueReview>>(StatusCodes.Status200OK)]
    public static async Task<IResult> Get(Scope scope, int? page, int? pageSize, string? after, HttpContext http, ViewReads views,
        IOptions<ReviewIntervals> intervals, TimeProvider clock, CancellationToken ct)
    {
        var configured = intervals.Value.Forces.SelectMany(f => f.Value.Select(l => (Force: f.Key.ToUpperInvariant(), Level: l.Key, Hours: l.Value)))
            .ToList();
        var paging = Paging.Of(page, pageSize, after);
        var parameters = new
        {
            scope.Force, scope.LocalAuthority, scope.RiskLevel, now = clock.GetUtcNow(),
            forces = configured.Select(c => c.Force == "DEFAULT" ? "Default" : c.Force).ToArray(),
            levels = configured.Select(c => c.Level).ToArray(), hours = configured.Select(c => c.Hours).ToArray(),
            standardLevels = ReviewIntervals.Defaults.Keys.ToArray(), standardHours = ReviewIntervals.Defaults.Values.ToArray(),
            limit = paging.PageSize, offset = paging.Offset, afterAt = paging.After?.At, afterId = paging.After?.Id,
        };
        return Listing.Answer(http, await views.Page<OverdueReview>(Sql, parameters, paging, Freshness.Episodes, ct,
            r => new Cursor(r.NextReviewDue, r.EpisodeId)));
    }
}
