using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NationalRegister.Episodes;
using NationalRegister.Infrastructure.Auth;
using NationalRegister.Reference;
using Wolverine.Http;

namespace NationalRegister.Analytics;

/// <summary>A person missing again and again, across forces and merged records: what no single force can see.</summary>
public sealed record RepeatMissingPerson(
    Guid PersonId, long Episodes, IReadOnlyList<string> Forces, bool IsChild, string AgeBand, DateTimeOffset LastSeenAt,
    DateTimeOffset LastReportedAt);

public static class RepeatMissingEndpoint
{
    /// <summary>
    /// People with at least :minEpisodes episodes in the window, counted by when the person was last seen, not when the report
    /// reached the register (late reports land right); a merged person counts once, as the surviving record. The window reads
    /// the last_seen_at index, which carries every column used here; the people are grouped once (materialized) for both
    /// the count and the page.
    /// </summary>
    internal static readonly string Sql =
        $$"""
          with repeaters as materialized (
            select coalesce(l.survivor_id, e.person_id) as "personId", count(*) as episodes, jsonb_agg(distinct e.force) as forces,
                   bool_or(e.is_child) as "isChild", {{ViewReads.AgeBand("max(e.age_when_last_seen)")}} as "ageBand",
                   max(e.last_seen_at) as "lastSeenAt", max(e.reported_at) as "lastReportedAt"
            from {{Tables.Episodes}} e left join {{Tables.Links}} l on l.id = e.person_id
            where e.last_seen_at > :windowStart and e.last_seen_at <= :now
              and (:force is null or e.force = :force) and (:localAuthority is null or e.local_authority = :localAuthority)
              and (:riskLevel is null or e.risk_level = :riskLevel)
            group by coalesce(l.survivor_id, e.person_id) having count(*) >= :minEpisodes
          )
          select jsonb_build_object('total', (select count(*) from repeaters), 'items', coalesce((
            select jsonb_agg(to_jsonb(p) order by p.episodes desc, p."lastSeenAt" desc, p."personId")
            from (select * from repeaters order by episodes desc, "lastSeenAt" desc, "personId" limit :limit offset :offset) p), '[]'))
          """;

    public static (Scope?, ProblemDetails) Validate(Caller caller, ReferenceData reference,
        string? force, string? localAuthority, string? riskLevel,
        int? windowDays, int? minEpisodes, int? page, int? pageSize) =>
        windowDays is < 1 or > 3660 || minEpisodes is < 2 or > 1000
            ? (null, new ProblemDetails
            {
                Status = StatusCodes.Status400BadRequest,
                Title = "Invalid window",
                Detail = "windowDays is 1 to 3660 (default 90); minEpisodes is 2 to 1000 (default 3).",
            })
            : Scope.ForList(caller, reference, force, localAuthority, riskLevel, page, pageSize);

    [WolverineGet("/api/analytics/repeat-missing", OperationId = "RepeatMissing")]
    [Authorize(Policy = Policies.AnalyticsReader)]
    [ProducesResponseType<PageOf<RepeatMissingPerson>>(StatusCodes.Status200OK)]
    public static async Task<IResult> Get(Scope scope, int? windowDays, int? minEpisodes, int? page, int? pageSize, HttpContext http,
        ViewReads views, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var paging = Paging.Of(page, pageSize);
        var parameters = new
        {
            scope.Force, scope.LocalAuthority, scope.RiskLevel, now, windowStart = now.AddDays(-(windowDays ?? 90)),
            minEpisodes = (long)(minEpisodes ?? 3), limit = paging.PageSize, offset = paging.Offset,
        };
        return Listing.Answer(http, await views.Page<RepeatMissingPerson>(Sql, parameters, paging, Freshness.Episodes, ct));
    }
}
