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
    private const string Due =
        "coalesce((e.data->>'nextReviewDue')::timestamptz, coalesce((e.data->>'lastReviewedAt')::timestamptz, e.reported_at) " +
        "+ make_interval(secs => 3600 * coalesce(own.hours, configured.hours, standard.hours)))";

    private const string Intervals =
        "left join unnest(:forces, :levels, :hours) as own(force, level, hours) on own.force = e.force " +
        "and own.level = coalesce(e.risk_level, 'Ungraded') " +
        "left join unnest(:forces, :levels, :hours) as configured(force, level, hours) on configured.force = 'Default' " +
        "and configured.level = coalesce(e.risk_level, 'Ungraded') " +
        "left join unnest(:standardLevels, :standardHours) as standard(level, hours) on standard.level = coalesce(e.risk_level, 'Ungraded')";

    private const string From =
        $"from {Tables.Episodes} e left join {Tables.Links} l on l.id = e.person_id {Intervals} " +
        $"where e.status = 'Missing' and {Scope.Where} and {Due} < :now";

    private const string Json =
        "jsonb_build_object('episodeId', e.id, 'personId', " + Tables.Person + ", 'force', e.force, 'riskLevel', e.risk_level, " +
        "'reportedAt', e.reported_at, 'lastReviewedAt', e.data->'lastReviewedAt', 'nextReviewDue', " + Due + ", " +
        "'hoursOverdue', round((extract(epoch from (:now - " + Due + ")) / 3600)::numeric, 1))";

    public static (Scope?, ProblemDetails) Validate(Caller caller, ReferenceData reference,
        string? force, string? localAuthority, string? riskLevel, int? page,
        int? pageSize) => Scope.ForList(caller, reference, force, localAuthority, riskLevel, page, pageSize);

    [WolverineGet("/api/analytics/reviews/overdue", OperationId = "OverdueReviews")]
    [Authorize(Policy = Policies.AnalyticsReader)]
    [ProducesResponseType<PageOf<OverdueReview>>(StatusCodes.Status200OK)]
    public static async Task<IResult> Get(Scope scope, int? page, int? pageSize, HttpContext http, IQuerySession session,
        Freshness freshness, IOptions<ReviewIntervals> intervals, TimeProvider clock, CancellationToken ct)
    {
        var configured = intervals.Value.Forces.SelectMany(f => f.Value.Select(l => (Force: f.Key.ToUpperInvariant(), Level: l.Key, Hours: l.Value)))
            .ToList();
        var parameters = new
        {
            scope.Force, scope.LocalAuthority, scope.RiskLevel, now = clock.GetUtcNow(),
            forces = configured.Select(c => c.Force == "DEFAULT" ? "Default" : c.Force).ToArray(),
            levels = configured.Select(c => c.Level).ToArray(), hours = configured.Select(c => c.Hours).ToArray(),
            standardLevels = ReviewIntervals.Defaults.Keys.ToArray(), standardHours = ReviewIntervals.Defaults.Values.ToArray(),
        };
        return Listing.Answer(http, await Query.Page<OverdueReview>(session, freshness, Json, From, $"{Due}, e.id", parameters,
            Paging.Of(page, pageSize), ct, Freshness.Episodes));
    }
}
