using Microsoft.AspNetCore.Mvc;
using NationalRegister.Episodes;
using NationalRegister.Infrastructure;
using NationalRegister.Infrastructure.Auth;
using NationalRegister.Reference;
using Wolverine.Http;

namespace NationalRegister.Analytics;

/// <summary>
/// Which episodes a caller's views cover, and the filters asked for: analysts see the nation (and may filter by force,
/// local authority and risk level); a force sees its own episodes; children's services those of their local authority.
/// </summary>
public sealed record Scope(string? Force, string? LocalAuthority, string? RiskLevel)
{
    /// <summary>The filters name a force by its code and a local authority by its ONS code or listed name; an unknown one is a 400.</summary>
    public static (Scope?, ProblemDetails) For(Caller caller, ReferenceData reference, string? force, string? localAuthority,
        string? riskLevel = null)
    {
        string? level = null;
        if (!string.IsNullOrWhiteSpace(riskLevel))
        {
            if (!RiskGrading.TryParse(riskLevel, out var parsed, out _)) return (null, Invalid("riskLevel is one of VeryLow, Low, Medium, High."));
            level = parsed.ToString();
        }

        if (!string.IsNullOrWhiteSpace(force) && (force = reference.ForceCode(force)) is null)
            return (null, Invalid($"force {ReferenceData.UnknownForce}"));
        if (!string.IsNullOrWhiteSpace(localAuthority) && (localAuthority = reference.LocalAuthorityCode(localAuthority)) is null)
            return (null, Invalid($"localAuthority {ReferenceData.UnknownLocalAuthority}"));
        force = string.IsNullOrWhiteSpace(force) ? null : force;
        localAuthority = string.IsNullOrWhiteSpace(localAuthority) ? null : localAuthority;

        if (caller.IsForce)
        {
            if (force is not null && force != caller.Force) return (null, Forbidden($"{caller.Agency} sees its own episodes only."));
            force = caller.Force;
        }
        else if (caller.IsChildrensServices)
        {
            if (localAuthority is not null && localAuthority != caller.LocalAuthority)
                return (null, Forbidden($"{caller.Agency} sees its own local authority's episodes only."));
            localAuthority = caller.LocalAuthority;
        }

        return (new Scope(force, localAuthority, level), WolverineContinue.NoProblems);
    }

    /// <summary>The scope of a list, once its paging is checked too.</summary>
    public static (Scope?, ProblemDetails) ForList(Caller caller, ReferenceData reference, string? force, string? localAuthority,
        string? riskLevel, int? page, int? pageSize, string? after = null) =>
        Paging.Check(page, pageSize, after) is { Status: not null } problem ? (null, problem) : For(caller, reference, force, localAuthority, riskLevel);

    private static ProblemDetails Invalid(string detail) =>
        new() { Status = StatusCodes.Status400BadRequest, Title = "Invalid filter", Detail = detail };

    private static ProblemDetails Forbidden(string detail) =>
        new() { Status = StatusCodes.Status403Forbidden, Title = "Not yours to see", Detail = detail };
}

/// <summary>
/// Where the national views live in the database: the views' own table, and the two Marten document tables they join (merges
/// resolved at query time through the inline person links). ViewSqlTests checks each against the store's own mapping.
/// </summary>
public static class Tables
{
    public const string Episodes = NationalEpisodes.Table;
    public const string Links = $"{EventStore.Schema}.mt_doc_personlink";
    public const string People = $"{EventStore.Schema}.mt_doc_personrecord";
}
