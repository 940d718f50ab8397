using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NationalRegister.Analytics;
using NationalRegister.Infrastructure.Auth;
using NationalRegister.People;
using Wolverine.Http;

namespace NationalRegister.Alerts;

/// <param name="PersonId">The person as the register now knows them: the surviving record if merged since.</param>
public sealed record AlertView(
    Guid AlertId, Guid PersonId, int Episodes, int WindowDays, IReadOnlyList<Guid> EpisodeIds, IReadOnlyList<string> Forces,
    IReadOnlyList<string> LocalAuthorities, DateTimeOffset WindowStart, DateTimeOffset WindowEnd, DateTimeOffset RaisedAt);

/// <summary>Repeat-missing alerts, newest first: a force sees those its episodes are in, children's services those in their area.</summary>
public static class ListAlertsEndpoint
{
    public static (Scope?, ProblemDetails) Validate(Caller caller, string? force, string? localAuthority, int? page, int? pageSize) =>
        Scope.ForList(caller, force, localAuthority, null, page, pageSize);

    [WolverineGet("/api/alerts", OperationId = "ListAlerts")]
    [Authorize(Policy = Policies.AnalyticsReader)]
    [ProducesResponseType<PageOf<AlertView>>(StatusCodes.Status200OK)]
    public static async Task<IResult> Get(Scope scope, int? page, int? pageSize, HttpContext http, IQuerySession session,
        Freshness freshness, CancellationToken ct)
    {
        var paging = Paging.Of(page, pageSize);
        var alerts = session.Query<RepeatMissingAlert>().AsQueryable();
        if (scope.Force is { } force) alerts = alerts.Where(a => a.Forces.Contains(force));
        if (scope.LocalAuthority is { } localAuthority) alerts = alerts.Where(a => a.LocalAuthorities.Contains(localAuthority));
        var total = await alerts.CountAsync(ct);
        var items = await alerts.OrderByDescending(a => a.RaisedAt).ThenBy(a => a.Id).Skip(paging.Offset).Take(paging.PageSize).ToListAsync(ct);
        var people = items.Select(a => a.PersonId).Distinct().ToArray();
        var survivors = (await session.LoadManyAsync<PersonLink>(ct, people)).Where(l => l.SurvivorId is not null)
            .ToDictionary(l => l.Id, l => l.SurvivorId!.Value);
        var asOf = await freshness.Of(session, ct, nameof(RepeatMissingAlert));
        return Listing.Answer(http, new PageOf<AlertView>(
            [.. items.Select(a => new AlertView(a.Id, survivors.GetValueOrDefault(a.PersonId, a.PersonId), a.Episodes, a.WindowDays, a.EpisodeIds,
                a.Forces, a.LocalAuthorities, a.WindowStart, a.WindowEnd, a.RaisedAt))],
            paging.Page, paging.PageSize, total, asOf));
    }
}
