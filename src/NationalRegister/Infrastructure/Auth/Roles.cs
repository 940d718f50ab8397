using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;

namespace NationalRegister.Infrastructure.Auth;

public static class Roles
{
    public const string Force = "force";
    public const string ChildrensServices = "childrens-services";
    public const string Analyst = "analyst";
    public const string Auditor = "auditor";

    public static readonly string[] All = [Force, ChildrensServices, Analyst, Auditor];
}

public static class RegisterClaims
{
    public const string Role = "role";
    public const string Name = "name";
    public const string Subject = "sub";
    public const string Force = "force";
    public const string LocalAuthority = "local_authority";
}

/// <summary>Coarse, role-level policies; ownership of a particular episode is checked against the episode itself.</summary>
public static class Policies
{
    public const string ForceWriter = nameof(ForceWriter);
    public const string ReturnInterviewer = nameof(ReturnInterviewer);
    public const string EpisodeReader = nameof(EpisodeReader);
    public const string PersonReader = nameof(PersonReader);
    public const string Auditor = nameof(Auditor);
    public const string AnalyticsReader = nameof(AnalyticsReader);
    public const string Analyst = nameof(Analyst);
    public const string LinkedPersonReader = nameof(LinkedPersonReader);
    public const string PersonMerger = nameof(PersonMerger);
    public const string AnyRole = nameof(AnyRole);

    public static void Add(AuthorizationOptions options)
    {
        options.AddPolicy(ForceWriter, p => p.RequireRole(Roles.Force).RequireClaim(RegisterClaims.Force));
        options.AddPolicy(ReturnInterviewer, p => p.RequireAssertion(c => IsForce(c.User) || IsChildrensServices(c.User)));
        options.AddPolicy(EpisodeReader, p => p.RequireAssertion(c =>
            IsForce(c.User) || IsChildrensServices(c.User) || c.User.IsInRole(Roles.Analyst) || c.User.IsInRole(Roles.Auditor)));
        options.AddPolicy(PersonReader, p => p.RequireAssertion(c => IsForce(c.User) || c.User.IsInRole(Roles.Auditor)));
        options.AddPolicy(Auditor, p => p.RequireRole(Roles.Auditor));
        options.AddPolicy(Analyst, p => p.RequireRole(Roles.Analyst));
        // Analysts see the nation; a force its own episodes; children's services those of their local authority.
        options.AddPolicy(AnalyticsReader, p => p.RequireAssertion(c => IsForce(c.User) || IsChildrensServices(c.User) || c.User.IsInRole(Roles.Analyst)));
        // A person across forces: auditors, analysts (counts and an age band only) and forces with an episode for them.
        options.AddPolicy(LinkedPersonReader, p => p.RequireAssertion(c =>
            IsForce(c.User) || c.User.IsInRole(Roles.Analyst) || c.User.IsInRole(Roles.Auditor)));
        // Merging two records into one person, and undoing it, is an analyst's decision.
        options.AddPolicy(PersonMerger, p => p.RequireRole(Roles.Analyst));
        // Reference data (forces, local authorities): whoever may use the register may read what it knows.
        options.AddPolicy(AnyRole, p => p.RequireAssertion(c =>
            IsForce(c.User) || IsChildrensServices(c.User) || c.User.IsInRole(Roles.Analyst) || c.User.IsInRole(Roles.Auditor)));
    }

    private static bool IsForce(ClaimsPrincipal user) =>
        user.IsInRole(Roles.Force) && !string.IsNullOrWhiteSpace(user.FindFirstValue(RegisterClaims.Force));

    private static bool IsChildrensServices(ClaimsPrincipal user) =>
        user.IsInRole(Roles.ChildrensServices) && !string.IsNullOrWhiteSpace(user.FindFirstValue(RegisterClaims.LocalAuthority));
}
