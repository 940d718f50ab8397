using Microsoft.AspNetCore.Mvc;
using NationalRegister.Episodes;
using NationalRegister.Infrastructure;
using NationalRegister.Infrastructure.Auth;
using Wolverine.Http;

namespace NationalRegister.Analytics;

/// <summary>
/// Which episodes a caller's views cover, and the filters asked for: analysts see the nation (and may filter by force,
/// local authority and risk level); a force sees its own episodes; children's services those of their local authority.
/// </summary>
public sealed record Scope(string? Force, string? LocalAuthority, string? RiskLevel)
{
    public static (Scope?, ProblemDetails) For(Caller caller, string? force, string? localAuthority, string? riskLevel = null)
    {
        force = Caller.NormaliseForce(force);
        localAuthority = string.IsNullOrWhiteSpace(localAuthority) ? null : localAuthority.Trim();
        string? level = null;
        if (!string.IsNullOrWhiteSpace(riskLevel))
        {
            if (!RiskGrading.TryParse(riskLevel, out var parsed, out _)) return (null, Invalid("riskLevel is one of VeryLow, Low, Medium, High."));
            level = parsed.ToString();
        }

        if (caller.IsForce)
        {
            if (force is not null && force != caller.Force) return (null, Forbidden($"{caller.Agency} sees its own episodes only."));
            force = caller.Force;
        }
        else if (caller.IsChildrensServices)
        {
            if (localAuthority is not null && !localAuthority.Equals(caller.LocalAuthority, StringComparison.OrdinalIgnoreCase))
                return (null, Forbidden($"{caller.Agency} sees its own local authority's episodes only."));
            localAuthority = caller.LocalAuthority;
        }

        return (new Scope(force, localAuthority, level), WolverineContinue.NoProblems);
    }

    /// <summary>The scope of a list, once its paging is checked too.</summary>
    public static (Scope?, ProblemDetails) ForList(Caller caller, string? force, string? localAuthority, string? riskLevel, int? page,
        int? pageSize) =>
        Paging.Check(page, pageSize) is { Status: not null } problem ? (null, problem) : For(caller, force, localAuthority, riskLevel);

    /// <summary>The filters as SQL over the episode records aliased <c>e</c>, bound by name (:force, :localAuthority, :riskLevel).</summary>
    public const string Where =
        "(:force is null or e.force = :force) and (:localAuthority is null or e.local_authority = :localAuthority) " +
        "and (:riskLevel is null or e.risk_level = :riskLevel)";

    private static ProblemDetails Invalid(string detail) =>
        new() { Status = StatusCodes.Status400BadRequest, Title = "Invalid filter", Detail = detail };

    private static ProblemDetails Forbidden(string detail) =>
        new() { Status = StatusCodes.Status403Forbidden, Title = "Not yours to see", Detail = detail };
}

/// <summary>Where the national views live in the database.</summary>
public static class Tables
{
    public const string Episodes = $"{EventStore.Schema}.mt_doc_episoderecord";
    public const string Links = $"{EventStore.Schema}.mt_doc_personlink";
    public const string People = $"{EventStore.Schema}.mt_doc_personrecord";

    /// <summary>The person an episode counts for: the surviving record when merged.</summary>
    public const string Person = "coalesce(l.survivor_id, e.person_id)";
}
