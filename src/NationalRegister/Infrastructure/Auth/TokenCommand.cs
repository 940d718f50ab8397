using System.Security.Claims;
using JasperFx.CommandLine;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using Spectre.Console;

namespace NationalRegister.Infrastructure.Auth;

public sealed class TokenInput : NetCoreInput
{
    [Description("force, childrens-services, analyst or auditor")]
    [FlagAlias("role")]
    public string RoleFlag { get; set; } = "";

    [Description("The force code, for --role force (e.g. GMP)")]
    [FlagAlias("force")]
    public string? ForceFlag { get; set; }

    [Description("The local authority, for --role childrens-services (e.g. Manchester)")]
    [FlagAlias("local-authority")]
    public string? LocalAuthorityFlag { get; set; }

    [Description("Who the token is for, recorded on every event they append (e.g. \"PC 1234\")")]
    [FlagAlias("user")]
    public string UserFlag { get; set; } = "";
}

/// <summary>Prints a signed bearer token and nothing else, using the server's own Auth configuration.</summary>
/// <remarks>So that `TOKEN=$(... token ...)` works, the command line's own chatter goes to stderr for this command.</remarks>
[Description("Print a signed bearer token for a role", Name = "token")]
public sealed class TokenCommand : JasperFxCommand<TokenInput>
{
    /// <summary>For `token`, everything but the token (command-line notes, logs) goes to stderr.</summary>
    public static void KeepStandardOutputForTheToken(WebApplicationBuilder builder, string[] args)
    {
        if (args is not ["token", ..]) return;
        AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
    }

    public override bool Execute(TokenInput input)
    {
        var problem = Check(input);
        if (problem is not null)
        {
            Console.Error.WriteLine(problem);
            return false;
        }

        using var host = input.BuildHost();
        var settings = host.Services.GetRequiredService<IOptions<AuthSettings>>().Value;
        var agencies = host.Services.GetRequiredService<IKnownAgencies>();
        var clock = host.Services.GetService<TimeProvider>() ?? TimeProvider.System;
        // The register refuses a token for an agency it does not know: say so here, rather than print a token that gets 401s.
        var force = input.RoleFlag == Roles.Force ? agencies.ForceCode(input.ForceFlag) : null;
        var localAuthority = input.RoleFlag == Roles.ChildrensServices ? agencies.LocalAuthorityCode(input.LocalAuthorityFlag) : null;
        if (input.RoleFlag == Roles.Force && force is null || input.RoleFlag == Roles.ChildrensServices && localAuthority is null)
        {
            Console.Error.WriteLine(force is null && input.RoleFlag == Roles.Force
                ? $"--force {input.ForceFlag} is not a force the register knows. Give its code as GET /api/reference/forces lists it (e.g. GMP, MET, WMP)."
                : $"--local-authority {input.LocalAuthorityFlag} is not a local authority the register knows. Give its ONS code or its name " +
                  "as GET /api/reference/local-authorities lists it (e.g. E08000003 or Manchester).");
            return false;
        }

        Console.WriteLine(settings.Issue(Claims(input, force, localAuthority), clock.GetUtcNow()));
        return true;
    }

    private static string? Check(TokenInput input) => input switch
    {
        { RoleFlag: var r } when !Roles.All.Contains(r) => $"--role must be one of {string.Join(", ", Roles.All)}.",
        { UserFlag: var u } when string.IsNullOrWhiteSpace(u) => "--user is required (who the token is for).",
        { UserFlag: var u } when u.Length > TokenRules.MaxUserLength || !Http.Characters.IsOneLine(u) =>
            $"--user must be one line of at most {TokenRules.MaxUserLength} characters.",
        { RoleFlag: Roles.Force, ForceFlag: null or "" } => "--force is required with --role force (e.g. --force GMP).",
        { RoleFlag: Roles.ChildrensServices, LocalAuthorityFlag: null or "" } =>
            "--local-authority is required with --role childrens-services (e.g. --local-authority Manchester).",
        _ => null,
    };

    private static IEnumerable<Claim> Claims(TokenInput input, string? force, string? localAuthority)
    {
        yield return new Claim(RegisterClaims.Subject, input.UserFlag);
        yield return new Claim(RegisterClaims.Name, input.UserFlag);
        yield return new Claim(RegisterClaims.Role, input.RoleFlag);
        if (force is not null) yield return new Claim(RegisterClaims.Force, force);
        if (localAuthority is not null) yield return new Claim(RegisterClaims.LocalAuthority, localAuthority);
    }
}
