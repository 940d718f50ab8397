using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NationalRegister.Infrastructure.Auth;
using NationalRegister.Reference;
using Wolverine.Http;

namespace NationalRegister.Analytics;

public sealed record OpenCount(string Force, string RiskLevel, long Open);

/// <param name="OpenByForceAndRisk">Missing now, by force and risk level ("Ungraded" before the first assessment).</param>
/// <param name="OpenOver72Hours">Missing more than 72 hours: each one notified to the UK Missing Persons Unit.</param>
/// <param name="FoundToday">Found since midnight, UK time.</param>
public sealed record NationalSummary(
    IReadOnlyList<OpenCount> OpenByForceAndRisk, long Open, long OpenHighRisk, long OpenOver72Hours, long OpenChildren, long OpenAdults,
    long FoundToday, AsOf AsOf);

/// <summary>The national picture right now, in one answer.</summary>
public static class SummaryEndpoint
{
    /// <summary>What is missing now (the partial index of open episodes, a few thousand rows) and what was found since midnight.</summary>
    internal static readonly string Sql =
        $$"""
          with missing as not materialized (
            select e.force, e.risk_level, e.is_child, e.last_seen_at from {{Tables.Episodes}} e
            where e.status = 'Missing'
              and (:force is null or e.force = :force) and (:localAuthority is null or e.local_authority = :localAuthority)
          )
          select jsonb_build_object(
            'openByForceAndRisk', coalesce((
              select jsonb_agg(jsonb_build_object('force', force, 'riskLevel', coalesce(risk_level, 'Ungraded'), 'open', open)
                               order by force, risk_level)
              from (select force, risk_level, count(*) as open from missing group by force, risk_level) by_force), '[]'),
            'open', count(*), 'openHighRisk', count(*) filter (where risk_level = 'High'),
            'openOver72Hours', count(*) filter (where last_seen_at < :since),
            'openChildren', count(*) filter (where is_child), 'openAdults', count(*) filter (where not is_child),
            'foundToday', (select count(*) from {{Tables.Episodes}} e where e.found_at >= :midnight
              and (:force is null or e.force = :force) and (:localAuthority is null or e.local_authority = :localAuthority)))
          from missing
          """;

    public static (Scope?, ProblemDetails) Validate(Caller caller, ReferenceData reference, string? force, string? localAuthority) =>
        Scope.For(caller, reference, force, localAuthority);

    [WolverineGet("/api/analytics/summary", OperationId = "NationalSummary")]
    [Authorize(Policy = Policies.AnalyticsReader)]
    [ProducesResponseType<NationalSummary>(StatusCodes.Status200OK)]
    public static async Task<IResult> Get(Scope scope, ViewReads views, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var parameters = new
        {
            scope.Force, scope.LocalAuthority, since = now - LongTermMissingEndpoint.Threshold,
            midnight = Period.Midnight(DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, Period.UkTime).DateTime)),
        };
        var (summary, asOf) = await views.One<NationalSummary>(Sql, parameters, Freshness.Episodes, ct);
        return Results.Ok(summary with { AsOf = asOf });
    }
}
