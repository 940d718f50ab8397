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
    private const string Json =
        "jsonb_build_object('episodeId', e.id, 'personId', " + Tables.Person + ", 'force', e.force, 'localAuthority', e.local_authority, " +
        "'ageBand', {band}, 'foundAt', e.found_at, 'dueBy', e.found_at + :window, 'hoursOverdue', {hours})";

    private const string From =
        $"from {Tables.Episodes} e left join {Tables.Links} l on l.id = e.person_id " +
        $"where e.is_child and e.return_interview_at is null and e.found_at is not null and e.found_at < :dueFoundBefore and {Scope.Where}";

    public static (Scope?, ProblemDetails) Validate(Caller caller, ReferenceData reference,
        string? force, string? localAuthority, int? page, int? pageSize) =>
        Scope.ForList(caller, reference, force, localAuthority, null, page, pageSize);

    [WolverineGet("/api/analytics/return-interviews/overdue", OperationId = "OverdueReturnInterviews")]
    [Authorize(Policy = Policies.AnalyticsReader)]
    [ProducesResponseType<PageOf<OverdueReturnInterview>>(StatusCodes.Status200OK)]
    public static async Task<IResult> Get(Scope scope, int? page, int? pageSize, HttpContext http, IQuerySession session,
        Freshness freshness, ReferenceData reference, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var json = Json.Replace("{band}", Query.AgeBand, StringComparison.Ordinal)
            .Replace("{hours}", Query.HoursSince("(e.found_at + :window)"), StringComparison.Ordinal);
        var parameters = new
        {
            scope.Force, scope.LocalAuthority, RiskLevel = (string?)null, now, window = EpisodeRules.ReturnInterviewWindow,
            dueFoundBefore = now - EpisodeRules.ReturnInterviewWindow,
        };
        var overdue = await Query.Page<OverdueReturnInterview>(session, freshness, json, From, "e.found_at, e.id", parameters,
            Paging.Of(page, pageSize), ct, Freshness.Episodes);
        return Listing.Answer(http, overdue.Select(o => o with { LocalAuthorityName = reference.NameOf(o.LocalAuthority) }));
    }
}
