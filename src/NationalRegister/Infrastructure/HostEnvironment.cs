namespace NationalRegister.Infrastructure;

/// <summary>
/// `dotnet run` from a source checkout, with no ASPNETCORE_ENVIRONMENT or DOTNET_ENVIRONMENT set, is a developer's
/// run: Development (the development signing key, schema migrated at start, the interactive API page). Anything
/// else is left to the usual rules, so a published build is Production unless told otherwise. No launch profile is
/// needed, so `dotnet run` prints nothing of its own and `TOKEN=$(dotnet run ... -- token ...)` captures only the token.
/// </summary>
public static class HostEnvironment
{
    public static string? Name() =>
        string.IsNullOrEmpty(Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT"))
        && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT"))
        && File.Exists(Path.Combine(Environment.CurrentDirectory, "NationalRegister.csproj"))
            ? Environments.Development
            : null;
}
