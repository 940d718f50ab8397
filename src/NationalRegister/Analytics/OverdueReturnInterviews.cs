using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NationalRegister.Episodes;
using NationalRegister.Infrastructure.Auth;
using NationalRegister.Reference;
using Wolverine.Http;

namespace NationalRegister.Analytics;

public sealed record OverdueReturnInterview(
    Guid EpisodeId, Guid PersonId, string Force, string? LocalAuthority, string? LocalAuthorityName, string AgeBand, DateTimeOffset FoundAt,
    DateTimeOffset DueBy, decimal HoursOverdue);

/// <summary>Children found more than 72 hours ago with no return home interview recorded (DfE statutory guidance, 2014).</summary>
public static class OverdueReturnInterviewsEndpoint
{
    /// <summary>Children found before :dueFoundBefore with no interview recorded: the partial index of pending interviews, oldest first.</summary>
    internal static readonly string Sql =
        $$"""
          with overdue as not materialized (
            select e.id as "episodeId", coalesce(l.survivor_id, e.person_id) as "personId", e.force,
                   e.local_authority as "localAuthority", {{ViewReads.AgeBand()}} as "ageBand", e.found_at as "foundAt",
                   e.found_at + :window as "dueBy", {{ViewReads.HoursSince("(e.found_at + :window)")}} as "hoursOverdue"
            from {{Tables.Episodes}} e left join {{Tables.Links}} l on l.id = e.person_id
            where e.is_child and e.return_interview_at is null and e.found_at is not null and e.found_at < :dueFoundBefore
              and (:force is null or e.force = :force) and (:localAuthority is null or e.local_authority = :localAuthority)
          )
          select jsonb_build_object('total', (select count(*) from overdue), 'items', coalesce((
            select jsonb_agg(to_jsonb(p) order by p."foundAt", p."episodeId")
            from (select * from overdue where (:afterAt is null or ("foundAt", "episodeId") > (:afterAt, :afterId))
                  order by "foundAt", "episodeId" limit :limit offset :offset) p), '[]'))
          """;

    public static (Scope?, ProblemDetails) Validate(Caller caller, ReferenceData reference,
        string? force, string? localAuthority, int? page, int? pageSize, string? after) =>
        Scope.ForList(caller, reference, force, localAuthority, null, page, pageSize, after);

    [WolverineGet("/api/analytics/return-interviews/overdue", OperationId = "OverdueReturnInterviews")]
    [Authorize(Policy = Policies.AnalyticsReader)]
    [ProducesResponseType<PageOf<OverdueReturnInterview>>(StatusCodes.Status200OK)]
    public static async Task<IResult> Get(Scope scope, int? page, int? pageSize, string? after, HttpContext http, ViewReads views,
        ReferenceData reference, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var paging = Paging.Of(page, pageSize, after);
        var parameters = new
        {
            scope.Force, scope.LocalAuthority, now, window = EpisodeRules.ReturnInterviewWindow,
            dueFoundBefore = now - EpisodeRules.ReturnInterviewWindow, limit = paging.PageSize, offset = paging.Offset,
            afterAt = paging.After?.At, afterId = paging.After?.Id,
        };
        var overdue = await views.Page<OverdueReturnInterview>(Sql, parameters, paging, Freshness.Episodes, ct,
            o => new Cursor(o.FoundAt, o.EpisodeId));
        return Listing.Answer(http, overdue.Select(o => o with { LocalAuthorityName = reference.NameOf(o.LocalAuthority) }));
    }
}
