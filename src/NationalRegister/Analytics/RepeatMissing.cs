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
    private const string Json =
        "jsonb_build_object('personId', x.person, 'episodes', count(*), 'forces', jsonb_agg(distinct x.force), " +
        "'isChild', bool_or(x.is_child), 'ageBand', {band}, 'lastSeenAt', max(x.last_seen_at), 'lastReportedAt', max(x.reported_at))";

    // Windows count episodes by when the person was last seen, not when the report reached the register (late reports land right).
    private const string From =
        $"from (select {Tables.Person} as person, e.force, e.is_child, e.last_seen_at, e.reported_at, " +
        "(e.data->>'ageWhenLastSeen')::int as age " +
        $"from {Tables.Episodes} e left join {Tables.Links} l on l.id = e.person_id " +
        $"where e.last_seen_at > :windowStart and e.last_seen_at <= :now and {Scope.Where}) x " +
        "group by x.person having count(*) >= :minEpisodes";

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
        IQuerySession session, Freshness freshness, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var parameters = new
        {
            scope.Force, scope.LocalAuthority, scope.RiskLevel, now, windowStart = now.AddDays(-(windowDays ?? 90)),
            minEpisodes = (long)(minEpisodes ?? 3),
        };
        return Listing.Answer(http, await Query.Page<RepeatMissingPerson>(session, freshness,
            Json.Replace("{band}", AgeBands.Sql("max(x.age)"), StringComparison.Ordinal), From,
            "count(*) desc, max(x.last_seen_at) desc, x.person", parameters, Paging.Of(page, pageSize), ct, Freshness.Episodes));
    }
}
