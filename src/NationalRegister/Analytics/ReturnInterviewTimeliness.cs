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
    private const string Json =
        "jsonb_build_object('localAuthority', e.local_authority, 'childrenFound', count(*), " +
        "'interviewsCompleted', count(*) filter (where e.data->>'returnInterviewOutcome' = 'Completed'), " +
        "'completedWithin72Hours', count(*) filter (where e.data->>'returnInterviewOutcome' = 'Completed' and e.return_interview_at <= e.found_at + :window), " +
        "'shareWithin72Hours', round(count(*) filter (where e.data->>'returnInterviewOutcome' = 'Completed' " +
        "and e.return_interview_at <= e.found_at + :window)::numeric / count(*), 3))";

    private const string From =
        $"from {Tables.Episodes} e where e.is_child and e.found_at is not null and e.local_authority is not null " +
        $"and e.found_at >= :from and e.found_at < :to and {Scope.Where} group by e.local_authority";

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
        IQuerySession session, Freshness freshness, ReferenceData reference, CancellationToken ct)
    {
        var parameters = new
        {
            scope.Force, scope.LocalAuthority, RiskLevel = (string?)null, window = EpisodeRules.ReturnInterviewWindow,
            from = Period.Start(from ?? DateOnly.MinValue), to = Period.End(to ?? DateOnly.MaxValue.AddDays(-1)),
        };
        var timeliness = await Query.Page<InterviewTimeliness>(session, freshness, Json, From, "e.local_authority", parameters,
            Paging.Of(page, pageSize), ct, Freshness.Episodes);
        return Listing.Answer(http, timeliness.Select(t => t with { LocalAuthorityName = reference.NameOf(t.LocalAuthority) }));
    }
}
