using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NationalRegister.Episodes;
using NationalRegister.Infrastructure.Auth;
using Wolverine.Http;

namespace NationalRegister.Analytics;

public sealed record MatchedRecord(Guid PersonId, Guid SurvivorId, string Force, string AgeBand, long Reports);

/// <summary>Records from different forces whose normalised names and date of birth agree, not yet merged into one.</summary>
public sealed record PossibleMatch(Guid MatchId, IReadOnlyList<string> Forces, IReadOnlyList<MatchedRecord> Records);

/// <summary>For analysts to confirm (merge) or leave: never merged silently.</summary>
public static class PossibleMatchesEndpoint
{
    /// <summary>Records sharing a match key, from more than one force and not already one person (merges resolved through the links);
    /// grouped once (materialized) for the count and the page.</summary>
    internal static readonly string Sql =
        $$"""
          with matches as materialized (
            select min(p.id::text)::uuid as "matchId", jsonb_agg(distinct p.force) as forces,
                   jsonb_agg(jsonb_build_object('personId', p.id, 'survivorId', coalesce(l.survivor_id, p.id), 'force', p.force,
                     'ageBand', {{ViewReads.AgeBand("p.age_when_last_seen")}}, 'reports', p.reports) order by p.id) as records
            from {{Tables.People}} p left join {{Tables.Links}} l on l.id = p.id
            group by p.match_key
            having count(distinct p.force) > 1 and count(distinct coalesce(l.survivor_id, p.id)) > 1
          )
          select jsonb_build_object('total', (select count(*) from matches), 'items', coalesce((
            select jsonb_agg(to_jsonb(m) order by m."matchId"::text)
            from (select * from matches order by "matchId"::text limit :limit offset :offset) m), '[]'))
          """;

    public static ProblemDetails Validate(int? page, int? pageSize) => Paging.Check(page, pageSize);

    [WolverineGet("/api/people/possible-matches", OperationId = "PossibleMatches")]
    [Authorize(Policy = Policies.Analyst)]
    [ProducesResponseType<PageOf<PossibleMatch>>(StatusCodes.Status200OK)]
    public static async Task<IResult> Get(int? page, int? pageSize, HttpContext http, ViewReads views,
        CancellationToken ct)
    {
        var paging = Paging.Of(page, pageSize);
        return Listing.Answer(http, await views.Page<PossibleMatch>(Sql, new { limit = paging.PageSize, offset = paging.Offset },
            paging, Freshness.People, ct));
    }
}
