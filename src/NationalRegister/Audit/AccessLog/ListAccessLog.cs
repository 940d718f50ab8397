using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NationalRegister.Analytics;
using NationalRegister.Infrastructure.AccessLogging;
using NationalRegister.Infrastructure.Auth;
using NationalRegister.Infrastructure.Integrity;
using NationalRegister.People;
using NationalRegister.Reference;
using Wolverine.Http;

namespace NationalRegister.Audit.AccessLog;

/// <summary>One line of the access log as an auditor reads it.</summary>
public sealed record AccessEntry(
    DateTimeOffset At, string? User, bool UserVerified, string? Role, string? Agency, string Action, string Endpoint, string? Query,
    IReadOnlyList<Guid> PersonIds, IReadOnlyList<Guid> EpisodeIds, string? Justification, string? Recipient, string? ClientAddress,
    string? CorrelationId, int Outcome, Guid Chain, long Position);

public sealed record AccessQuery(Guid[]? People, string? User, string? Agency, DateTimeOffset? From, DateTimeOffset? To);

/// <summary>
/// Who looked at this child, and what did this user look at (DPA 2018 s62): the access log, newest first, filtered by
/// person (every record linked to them), user, force or agency, and time. Reading it is itself a logged read.
/// </summary>
public static class ListAccessLogEndpoint
{
    // Typed: a filter not given is a null the database cannot otherwise type.
    private const string From =
        $"from {AccessChains.Table} a where (:user::text is null or a.user_name = :user::text) " +
        "and (:agency::text is null or a.agency = :agency::text) " +
        "and (:from::timestamptz is null or a.at >= :from::timestamptz) and (:to::timestamptz is null or a.at < :to::timestamptz) " +
        "and (:people::uuid[] is null or a.person_ids && :people::uuid[])";

    public static (AccessQuery?, ProblemDetails) Validate(ReferenceData reference, string? user, string? force, DateTimeOffset? from,
        DateTimeOffset? to, int? page, int? pageSize)
    {
        if (Paging.Check(page, pageSize) is { Status: not null } paging) return (null, paging);
        var agency = force is null ? null : reference.ForceCode(force) ?? reference.LocalAuthorityCode(force);
        if (force is not null && agency is null)
            return (null, new ProblemDetails
            {
                Status = StatusCodes.Status400BadRequest, Title = "Invalid filter",
                Detail = $"force is not a force or local authority the register knows: see GET {ReferenceData.ForcesAt} and {ReferenceData.LocalAuthoritiesAt}.",
            });
        return from > to
            ? (null, new ProblemDetails { Status = StatusCodes.Status400BadRequest, Title = "Invalid period", Detail = "from must not be after to." })
            : (new AccessQuery(null, user?.Trim(), agency, from, to), WolverineContinue.NoProblems);
    }

    [WolverineGet("/api/audit/access-log", OperationId = "ListAccessLog")]
    [AccessLogged(justified: true)]
    [Authorize(Policy = Policies.Auditor)]
    [ProducesResponseType<PageOf<AccessEntry>>(StatusCodes.Status200OK)]
    public static async Task<IResult> Get(AccessQuery query, Guid? personId, int? page, int? pageSize, HttpContext http, IQuerySession session,
        TimeProvider clock, CancellationToken ct)
    {
        Guid[]? people = personId is { } id ? [.. (await LinkedPerson.Resolve(session, id, ct)).Records] : null;
        if (people is not null) AccessLogging.Read(http, people, []);
        var paging = Paging.Of(page, pageSize);
        var parameters = new { user = query.User, agency = query.Agency, from = query.From, to = query.To, people };
        var total = (await session.AdvancedSql.QueryAsync<long>($"select count(*) {From}", ct, parameters))[0];
        var entries = await session.AdvancedSql.QueryAsync<AccessEntry>(
            $"select a.record {From} order by a.at desc, a.chain, a.position desc limit {paging.PageSize} offset {paging.Offset}", ct, parameters);
        // Written as each read is answered: the log is as fresh as the moment it is read.
        return Listing.Answer(http, new PageOf<AccessEntry>(entries, paging.Page, paging.PageSize, total, new AsOf(0, clock.GetUtcNow())));
    }
}
