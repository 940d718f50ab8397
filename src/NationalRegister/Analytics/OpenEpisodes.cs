using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NationalRegister.Episodes;
using NationalRegister.Infrastructure.Auth;
using NationalRegister.Reference;
using Wolverine.Http;

namespace NationalRegister.Analytics;

/// <summary>Someone missing now, as analysts see them: an opaque person id and an age band, never a name.</summary>
public sealed record MissingNow(
    Guid EpisodeId, Guid PersonId, string Force, string? LocalAuthority, string? LocalAuthorityName, RiskLevel? RiskLevel, bool IsChild,
    string AgeBand, DateTimeOffset ReportedAt, DateTimeOffset LastSeenAt, decimal HoursMissing);

/// <summary>Who is missing now, longest first.</summary>
public static class OpenEpisodesEndpoint
{
    /// <summary>
    /// Missing now (optionally only those last seen before :since), in the caller's scope. The CTE is not materialised, so the
    /// count reads only the partial index of open episodes and the page stops after :limit rows in last-seen order, starting
    /// after the cursor's row when given (keyset paging on the same index).
    /// </summary>
    internal static readonly string Sql =
        $$"""
          with matching as not materialized (
            select e.id as "episodeId", coalesce(l.survivor_id, e.person_id) as "personId", e.force,
                   e.local_authority as "localAuthority", e.risk_level as "riskLevel", e.is_child as "isChild",
                   e.reported_at as "reportedAt", e.last_seen_at as "lastSeenAt",
                   {{ViewReads.HoursSince("e.last_seen_at")}} as "hoursMissing", {{ViewReads.AgeBand()}} as "ageBand"
            from {{Tables.Episodes}} e left join {{Tables.Links}} l on l.id = e.person_id
            where e.status = 'Missing' and (:since is null or e.last_seen_at < :since)
              and (:force is null or e.force = :force) and (:localAuthority is null or e.local_authority = :localAuthority)
              and (:riskLevel is null or e.risk_level = :riskLevel)
          )
          select jsonb_build_object('total', (select count(*) from matching), 'items', coalesce((
            select jsonb_agg(to_jsonb(p) order by p."lastSeenAt", p."episodeId")
            from (select * from matching where (:afterAt is null or ("lastSeenAt", "episodeId") > (:afterAt, :afterId))
                  order by "lastSeenAt", "episodeId" limit :limit offset :offset) p), '[]'))
          """;

    public static (Scope?, ProblemDetails) Validate(Caller caller, ReferenceData reference,
        string? force, string? localAuthority, string? riskLevel, int? page,
        int? pageSize, string? after) => Scope.ForList(caller, reference, force, localAuthority, riskLevel, page, pageSize, after);

    [WolverineGet("/api/analytics/open-episodes", OperationId = "OpenEpisodes")]
    [Authorize(Policy = Policies.AnalyticsReader)]
    [ProducesResponseType<PageOf<MissingNow>>(StatusCodes.Status200OK)]
    public static async Task<IResult> Get(Scope scope, int? page, int? pageSize, string? after, HttpContext http, ViewReads views,
        ReferenceData reference, TimeProvider clock, CancellationToken ct) =>
        Listing.Answer(http, await Missing(scope, since: null, Paging.Of(page, pageSize, after), views, reference, clock, ct));

    internal static async Task<PageOf<MissingNow>> Missing(Scope scope, DateTimeOffset? since, Paging paging, ViewReads views,
        ReferenceData reference, TimeProvider clock, CancellationToken ct)
    {
        var parameters = new
        {
            scope.Force, scope.LocalAuthority, scope.RiskLevel, now = clock.GetUtcNow(), since, limit = paging.PageSize, offset = paging.Offset,
            afterAt = paging.After?.At, afterId = paging.After?.Id,
        };
        var missing = await views.Page<MissingNow>(Sql, parameters, paging, Freshness.Episodes, ct,
            m => new Cursor(m.LastSeenAt, m.EpisodeId));
        // Each authority by its code and its name as listed.
        return missing.Select(m => m with { LocalAuthorityName = reference.NameOf(m.LocalAuthority) });
    }
}

/// <summary>Missing more than 72 hours: forces notify the UK Missing Persons Unit (National Crime Agency) of each.</summary>
public static class LongTermMissingEndpoint
{
    public static readonly TimeSpan Threshold = TimeSpan.FromHours(72);

    public static (Scope?, ProblemDetails) Validate(Caller caller, ReferenceData reference,
        string? force, string? localAuthority, string? riskLevel, int? page,
        int? pageSize, string? after) => Scope.ForList(caller, reference, force, localAuthority, riskLevel, page, pageSize, after);

    [WolverineGet("/api/analytics/long-term-missing", OperationId = "LongTermMissing")]
    [Authorize(Policy = Policies.AnalyticsReader)]
    [ProducesResponseType<PageOf<MissingNow>>(StatusCodes.Status200OK)]
    public static async Task<IResult> Get(Scope scope, int? page, int? pageSize, string? after, HttpContext http, ViewReads views,
        ReferenceData reference, TimeProvider clock, CancellationToken ct) =>
        Listing.Answer(http, await OpenEpisodesEndpoint.Missing(scope, clock.GetUtcNow() - Threshold, Paging.Of(page, pageSize, after), views, reference, clock, ct));
}
