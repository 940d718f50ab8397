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
        var clock = host.Services.GetService<TimeProvider>() ?? TimeProvider.System;
        Console.WriteLine(settings.Issue(Claims(input), clock.GetUtcNow()));
        return true;
    }

    private static string? Check(TokenInput input) => input switch
    {
        { RoleFlag: var r } when !Roles.All.Contains(r) => $"--role must be one of {string.Join(", ", Roles.All)}.",
        { UserFlag: var u } when string.IsNullOrWhiteSpace(u) => "--user is required (who the token is for).",
        { RoleFlag: Roles.Force, ForceFlag: null or "" } => "--force is required with --role force (e.g. --force GMP).",
        { RoleFlag: Roles.ChildrensServices, LocalAuthorityFlag: null or "" } =>
            "--local-authority is required with --role childrens-services (e.g. --local-authority Manchester).",
        _ => null,
    };

    private static IEnumerable<Claim> Claims(TokenInput input)
    {
        yield return new Claim(RegisterClaims.Subject, input.UserFlag);
        yield return new Claim(RegisterClaims.Name, input.UserFlag);
        yield return new Claim(RegisterClaims.Role, input.RoleFlag);
        if (input.RoleFlag == Roles.Force) yield return new Claim(RegisterClaims.Force, input.ForceFlag!.Trim().ToUpperInvariant());
        if (input.RoleFlag == Roles.ChildrensServices) yield return new Claim(RegisterClaims.LocalAuthority, input.LocalAuthorityFlag!.Trim());
    }
}
