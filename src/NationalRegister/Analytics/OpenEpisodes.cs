using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NationalRegister.Episodes;
using NationalRegister.Infrastructure.Auth;
using NationalRegister.Reference;
using Wolverine.Http;

namespace NationalRegister.Analytics;

/// <summary>Someone missing now, as analysts see them: an opaque person id and an age band, never a name.</summary>
public sealed record MissingNow(
    Guid EpisodeId, Guid PersonId, string Force, string? LocalAuthority, string? LocalAuthorityName, RiskLevel? RiskLevel, bool IsChild,
    string AgeBand, DateTimeOffset ReportedAt, DateTimeOffset LastSeenAt, decimal HoursMissing);

/// <summary>Who is missing now, longest first.</summary>
public static class OpenEpisodesEndpoint
{
    internal const string Json =
        "jsonb_build_object('episodeId', e.id, 'personId', " + Tables.Person + ", 'force', e.force, 'localAuthority', e.local_authority, " +
        "'riskLevel', e.risk_level, 'isChild', e.is_child, 'reportedAt', e.reported_at, 'lastSeenAt', e.last_seen_at, " +
        "'hoursMissing', {hours}, 'ageBand', {band})";

    internal static string Row => Json.Replace("{hours}", Query.HoursSince("e.last_seen_at"), StringComparison.Ordinal)
        .Replace("{band}", Query.AgeBand, StringComparison.Ordinal);

    internal const string From =
        $"from {Tables.Episodes} e left join {Tables.Links} l on l.id = e.person_id where e.status = 'Missing' and {Scope.Where}";

    public static (Scope?, ProblemDetails) Validate(Caller caller, ReferenceData reference,
        string? force, string? localAuthority, string? riskLevel, int? page,
        int? pageSize) => Scope.ForList(caller, reference, force, localAuthority, riskLevel, page, pageSize);

    [WolverineGet("/api/analytics/open-episodes", OperationId = "OpenEpisodes")]
    [Authorize(Policy = Policies.AnalyticsReader)]
    [ProducesResponseType<PageOf<MissingNow>>(StatusCodes.Status200OK)]
    public static async Task<IResult> Get(Scope scope, int? page, int? pageSize, HttpContext http, IQuerySession session,
        Freshness freshness, ReferenceData reference, TimeProvider clock, CancellationToken ct) =>
        Listing.Answer(http, Named(reference, await Query.Page<MissingNow>(session, freshness, Row, From, "e.last_seen_at, e.id",
            new { scope.Force, scope.LocalAuthority, scope.RiskLevel, now = clock.GetUtcNow() }, Paging.Of(page, pageSize), ct, Freshness.Episodes)));

    /// <summary>Each authority by its code and its name as listed.</summary>
    internal static PageOf<MissingNow> Named(ReferenceData reference, PageOf<MissingNow> page) =>
        page.Select(m => m with { LocalAuthorityName = reference.NameOf(m.LocalAuthority) });
}

/// <summary>Missing more than 72 hours: forces notify the UK Missing Persons Unit (National Crime Agency) of each.</summary>
public static class LongTermMissingEndpoint
{
    public static readonly TimeSpan Threshold = TimeSpan.FromHours(72);

    public static (Scope?, ProblemDetails) Validate(Caller caller, ReferenceData reference,
        string? force, string? localAuthority, string? riskLevel, int? page,
        int? pageSize) => Scope.ForList(caller, reference, force, localAuthority, riskLevel, page, pageSize);

    [WolverineGet("/api/analytics/long-term-missing", OperationId = "LongTermMissing")]
    [Authorize(Policy = Policies.AnalyticsReader)]
    [ProducesResponseType<PageOf<MissingNow>>(StatusCodes.Status200OK)]
    public static async Task<IResult> Get(Scope scope, int? page, int? pageSize, HttpContext http, IQuerySession session,
        Freshness freshness, ReferenceData reference, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        return Listing.Answer(http, OpenEpisodesEndpoint.Named(reference, await Query.Page<MissingNow>(session, freshness, OpenEpisodesEndpoint.Row,
            OpenEpisodesEndpoint.From + " and e.last_seen_at < :since", "e.last_seen_at, e.id",
            new { scope.Force, scope.LocalAuthority, scope.RiskLevel, now, since = now - Threshold }, Paging.Of(page, pageSize), ct,
            Freshness.Episodes)));
    }
}
