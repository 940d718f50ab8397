using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NationalRegister.Episodes;
using NationalRegister.Infrastructure.Auth;
using NationalRegister.Reference;
using Wolverine.Http;

namespace NationalRegister.Analytics;

/// <param name="ShareWithin72Hours">Interviews completed within 72 hours of the child's return, as a share of children found.</param>
public sealed record InterviewTimeliness(
    string LocalAuthority, string? LocalAuthorityName, long ChildrenFound, long InterviewsCompleted, long CompletedWithin72Hours,
    decimal ShareWithin72Hours);

/// <summary>Per local authority: how many returned children had their interview, and how many in time (about 63% nationally).</summary>
public static class ReturnInterviewTimelinessEndpoint
{
    /// <summary>Children found in the period, per local authority: interviews completed, and completed within the window (grouped
    /// once, materialized, for the count and the page).</summary>
    internal static readonly string Sql =
        $$"""
          with timeliness as materialized (
            select e.local_authority as "localAuthority", count(*) as "childrenFound",
                   count(*) filter (where e.return_interview_outcome = 'Completed') as "interviewsCompleted",
                   count(*) filter (where e.return_interview_outcome = 'Completed' and e.return_interview_at <= e.found_at + :window)
                     as "completedWithin72Hours",
                   round(count(*) filter (where e.return_interview_outcome = 'Completed' and e.return_interview_at <= e.found_at + :window)
                     ::numeric / count(*), 3) as "shareWithin72Hours"
            from {{Tables.Episodes}} e
            where e.is_child and e.found_at is not null and e.local_authority is not null and e.found_at >= :from and e.found_at < :to
              and (:force is null or e.force = :force) and (:localAuthority is null or e.local_authority = :localAuthority)
            group by e.local_authority
          )
          select jsonb_build_object('total', (select count(*) from timeliness), 'items', coalesce((
            select jsonb_agg(to_jsonb(p) order by p."localAuthority")
            from (select * from timeliness order by "localAuthority" limit :limit offset :offset) p), '[]'))
          """;

    public static (Scope?, ProblemDetails) Validate(Caller caller, ReferenceData reference,
        string? force, string? localAuthority, DateOnly? from, DateOnly? to,
        int? page, int? pageSize) =>
        from > to
            ? (null, new ProblemDetails { Status = StatusCodes.Status400BadRequest, Title = "Invalid period", Detail = "from must not be after to." })
            : Scope.ForList(caller, reference, force, localAuthority, null, page, pageSize);

    [WolverineGet("/api/analytics/return-interviews/timeliness", OperationId = "ReturnInterviewTimeliness")]
    [Authorize(Policy = Policies.AnalyticsReader)]
    [ProducesResponseType<PageOf<InterviewTimeliness>>(StatusCodes.Status200OK)]
    public static async Task<IResult> Get(Scope scope, DateOnly? from, DateOnly? to, int? page, int? pageSize, HttpContext http,
        ViewReads views, ReferenceData reference, CancellationToken ct)
    {
        var paging = Paging.Of(page, pageSize);
        var parameters = new
        {
            scope.Force, scope.LocalAuthority, window = EpisodeRules.ReturnInterviewWindow,
            from = Period.Start(from ?? DateOnly.MinValue), to = Period.End(to ?? DateOnly.MaxValue.AddDays(-1)),
            limit = paging.PageSize, offset = paging.Offset,
        };
        var timeliness = await views.Page<InterviewTimeliness>(Sql, parameters, paging, Freshness.Episodes, ct);
        return Listing.Answer(http, timeliness.Select(t => t with { LocalAuthorityName = reference.NameOf(t.LocalAuthority) }));
    }
}
