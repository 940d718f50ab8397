using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NationalRegister.Analytics;
using NationalRegister.Episodes;
using NationalRegister.Infrastructure;
using NationalRegister.Infrastructure.Auth;
using NationalRegister.People;
using NationalRegister.Reference;
using Wolverine.Http;

namespace NationalRegister.Alerts;

/// <param name="PersonId">The person as the register now knows them: the surviving record if merged since.</param>
/// <param name="ThresholdEpisodes">The threshold crossed: this many episodes within <paramref name="WindowDays"/> days.</param>
/// <param name="Episodes">The person's episodes in the window, across every force and merged record.</param>
/// <param name="EpisodeIds">Those the caller may read: a force its own, children's services their authority's, analysts all.</param>
/// <param name="OtherEpisodes">The rest, only counted: the caller learns they exist, never what or where they are.</param>
/// <param name="Forces">The forces that hold the episodes now.</param>
/// <param name="LocalAuthorities">The authorities of the episodes the caller may read.</param>
public sealed record AlertView(
    Guid AlertId, Guid PersonId, int ThresholdEpisodes, int WindowDays, int Episodes, IReadOnlyList<Guid> EpisodeIds, int OtherEpisodes,
    IReadOnlyList<string> Forces, IReadOnlyList<NamedAuthority> LocalAuthorities, DateTimeOffset WindowStart, DateTimeOffset WindowEnd,
    DateTimeOffset RaisedAt);

/// <summary>Repeat-missing alerts, newest first: a force sees those with an episode it may read, children's services those in their area.</summary>
public static class ListAlertsEndpoint
{
    private const string Alerts = $"{EventStore.Schema}.mt_doc_repeatmissingalert";

    // An alert is the caller's when one of its episodes is, as the episode stands now (after transfers and mappings).
    private const string From =
        $"from {Alerts} a where (:force is null and :localAuthority is null) or exists (select 1 from {Episode.Table} e " +
        "where e.id = any(array(select jsonb_array_elements_text(a.data->'episodeIds')::uuid)) " +
        "and (:force is null or e.data->>'force' = :force or jsonb_exists(e.data->'previousForces', :force)) " +
        "and (:localAuthority is null or e.data->>'localAuthority' = :localAuthority))";

    public static (Scope?, ProblemDetails) Validate(Caller caller, ReferenceData reference,
        string? force, string? localAuthority, int? page,
        int? pageSize) =>
        Scope.ForList(caller, reference, force, localAuthority, null, page, pageSize);

    [WolverineGet("/api/alerts", OperationId = "ListAlerts")]
    [Authorize(Policy = Policies.AnalyticsReader)]
    [ProducesResponseType<PageOf<AlertView>>(StatusCodes.Status200OK)]
    public static async Task<IResult> Get(Scope scope, int? page, int? pageSize, Caller caller, HttpContext http, IQuerySession session,
        Freshness freshness, ReferenceData reference, CancellationToken ct)
    {
        var paging = Paging.Of(page, pageSize);
        var parameters = new { scope.Force, scope.LocalAuthority };
        var total = (await session.AdvancedSql.QueryAsync<long>($"select count(*) {From}", ct, parameters))[0];
        var alerts = await session.AdvancedSql.QueryAsync<RepeatMissingAlert>(
            $"select a.id, a.data, a.mt_version {From} order by a.raised_at desc, a.id limit {paging.PageSize} offset {paging.Offset}", ct, parameters);

        var episodes = (await session.LoadManyAsync<Episode>(ct, alerts.SelectMany(a => a.EpisodeIds).Distinct()))
            .ToDictionary(e => e.Id);
        var survivors = (await session.LoadManyAsync<PersonLink>(ct, alerts.Select(a => a.PersonId).Distinct()))
            .Where(l => l.SurvivorId is not null).ToDictionary(l => l.Id, l => l.SurvivorId!.Value);
        var asOf = await freshness.Of(session, ct, nameof(RepeatMissingAlert));
        return Listing.Answer(http, new PageOf<AlertView>(
            [.. alerts.Select(a => ViewOf(a, [.. a.EpisodeIds.Select(episodes.GetValueOrDefault).OfType<Episode>()], caller, reference,
                survivors.GetValueOrDefault(a.PersonId, a.PersonId)))],
            paging.Page, paging.PageSize, total, asOf));
    }

    /// <summary>Need to know (MoPI): ids and authorities of the episodes the caller may read; of the others, how many.</summary>
    private static AlertView ViewOf(RepeatMissingAlert alert, IReadOnlyList<Episode> episodes, Caller caller, ReferenceData reference,
        Guid personId)
    {
        var readable = episodes.Where(e => EpisodeAccess.MayRead(caller, e)).ToList();
        return new AlertView(alert.Id, personId, alert.Episodes, alert.WindowDays, alert.EpisodeIds.Count, [.. readable.Select(e => e.Id)],
            alert.EpisodeIds.Count - readable.Count, [.. episodes.Select(e => e.Force).Distinct().Order(StringComparer.Ordinal)],
            [.. readable.Select(e => e.LocalAuthority).OfType<string>().Distinct().Order(StringComparer.Ordinal).Select(reference.Named)],
            alert.WindowStart, alert.WindowEnd, alert.RaisedAt);
    }
}
