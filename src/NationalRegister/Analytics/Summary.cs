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
    private sealed record Counts(long Open, long OpenHighRisk, long OpenOver72Hours, long OpenChildren, long FoundToday);

    public static (Scope?, ProblemDetails) Validate(Caller caller, ReferenceData reference, string? force, string? localAuthority) =>
        Scope.For(caller, reference, force, localAuthority);

    [WolverineGet("/api/analytics/summary", OperationId = "NationalSummary")]
    [Authorize(Policy = Policies.AnalyticsReader)]
    [ProducesResponseType<NationalSummary>(StatusCodes.Status200OK)]
    public static async Task<IResult> Get(Scope scope, IQuerySession session, Freshness freshness, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var parameters = new
        {
            scope.Force, scope.LocalAuthority, RiskLevel = (string?)null, since = now - LongTermMissingEndpoint.Threshold,
            midnight = Period.Midnight(DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, Period.UkTime).DateTime)),
        };
        var byForce = await Query.Rows<OpenCount>(session,
            "select jsonb_build_object('force', e.force, 'riskLevel', coalesce(e.risk_level, 'Ungraded'), 'open', count(*)) " +
            $"from {Tables.Episodes} e where e.status = 'Missing' and {Scope.Where} group by e.force, e.risk_level order by e.force, e.risk_level",
            parameters, ct);
        // Two index-served queries rather than one scan: what is missing now (partial index), and what was found today.
        var counts = (await Query.Rows<Counts>(session,
            "select jsonb_build_object('open', count(*), 'openHighRisk', count(*) filter (where e.risk_level = 'High'), " +
            "'openOver72Hours', count(*) filter (where e.last_seen_at < :since), 'openChildren', count(*) filter (where e.is_child), " +
            $"'foundToday', (select count(*) from {Tables.Episodes} e where e.found_at >= :midnight and {Scope.Where})) " +
            $"from {Tables.Episodes} e where e.status = 'Missing' and {Scope.Where}",
            parameters, ct))[0];
        return Results.Ok(new NationalSummary(byForce, counts.Open, counts.OpenHighRisk, counts.OpenOver72Hours, counts.OpenChildren,
            counts.Open - counts.OpenChildren, counts.FoundToday, await freshness.Of(session, ct, Freshness.Episodes)));
    }
}
