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
    private const string Json =
        "jsonb_build_object('matchId', min(p.id::text)::uuid, 'forces', jsonb_agg(distinct p.force), 'records', jsonb_agg(jsonb_build_object(" +
        "'personId', p.id, 'survivorId', coalesce(l.survivor_id, p.id), 'force', p.force, 'ageBand', {band}, 'reports', (p.data->>'reports')::int) " +
        "order by p.id))";

    private const string From =
        $"from {Tables.People} p left join {Tables.Links} l on l.id = p.id group by p.match_key " +
        "having count(distinct p.force) > 1 and count(distinct coalesce(l.survivor_id, p.id)) > 1";

    public static ProblemDetails Validate(int? page, int? pageSize) => Paging.Check(page, pageSize);

    [WolverineGet("/api/people/possible-matches", OperationId = "PossibleMatches")]
    [Authorize(Policy = Policies.Analyst)]
    [ProducesResponseType<PageOf<PossibleMatch>>(StatusCodes.Status200OK)]
    public static async Task<IResult> Get(int? page, int? pageSize, HttpContext http, IQuerySession session, Freshness freshness,
        CancellationToken ct) =>
        Listing.Answer(http, await Query.Page<PossibleMatch>(session, freshness,
            Json.Replace("{band}", AgeBands.Sql("(p.data->>'ageWhenLastSeen')::int"), StringComparison.Ordinal), From, "min(p.id::text)",
            new { }, Paging.Of(page, pageSize), ct, Freshness.People));
}
